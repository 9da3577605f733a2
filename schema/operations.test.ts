import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { loadApiSchema, loadOperations } from './operations';

const operations = loadOperations();
const api = loadApiSchema();

describe('schema/operations: the contract with the channels', () => {
  it('holds the operations the portal, bots and agent desk send', () => {
    expect(Object.keys(operations)).toEqual(
      expect.arrayContaining([
        'IdentifyByOrderNumber', 'IdentifyByPhone', 'IdentifyByEmail', 'VerifyCaller', 'CustomerContext', 'RecordInteraction',
        'Escalate', 'AcceptHandoff', 'ResolveHandoff', 'OrderPage', 'ReturnEligibility', 'InitiateReturn', 'ReturnPolicy',
        'PromiseToPay', 'ContactRate', 'DeskContext',
      ]),
    );
  });

  it.each(Object.entries(operations))('%s is one operation of that name, valid against the public API schema', (name, source) => {
    const document = parse(source);
    const definitions = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(definitions.map((d) => d.name?.value)).toEqual([name]);
    expect(validate(api, document).map((e) => e.message)).toEqual([]);
  });

  it('keeps the saga’s internal mutations out of the public API', () => {
    const mutations = Object.keys(api.getMutationType()!.getFields());
    expect(mutations).not.toEqual(expect.arrayContaining(['issueReturnLabel']));
    expect(mutations).not.toContain('voidReturnLabel');
    expect(mutations).not.toContain('registerShipments');
    expect(mutations).not.toContain('registerExpectedRefund');
    expect(mutations).not.toContain('cancelExpectedRefund');
    expect(mutations).toContain('initiateReturn');
  });

  it('tells an unverified caller only what may be said: the Caller type has no contact details or address', () => {
    const fields = Object.keys((api.getType('Caller') as { getFields(): object }).getFields());
    expect(fields.sort()).toEqual(['firstName', 'id', 'locale', 'maskedEmail', 'maskedPhone', 'preferredLanguage']);
  });
});
