import { operationId } from '../../gateway/persisted';
import { loadOperations } from '../../schema/operations';
import { startTestStack, type TestStack } from '../helpers/stack';

const AUDIT = /* GraphQL */ `query ($actorId: String) { auditLog(actorId: $actorId) { customerId fields } }`;

/** Warm answers sent before the GraphQL pipeline: the same answer, the same checks, the same audit trail. */
describe('a warm CustomerContext turn', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 10 });
  });
  afterAll(() => t?.close());

  const body = JSON.stringify({
    operationName: 'CustomerContext',
    variables: { locale: 'en-US' },
    extensions: { persistedQuery: { version: 1, sha256Hash: operationId(loadOperations().CustomerContext) } },
  });
  const turn = async (caller: Record<string, string>) => {
    const response = await fetch(t.stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...caller }, body });
    // Each answer names its own request (x-request-id), whichever path answered it.
    return { status: response.status, headers: Object.fromEntries([...response.headers].filter(([name]) => !['date', 'age', 'x-request-id'].includes(name))), age: response.headers.get('age'), text: await response.text() };
  };
  const entries = async (actorId: string) => (await t.query(AUDIT, { actorId }, await t.asOperations())).body.data.auditLog as { customerId: string }[];

  it('answers by persisted id with the cold turn’s bytes and headers, says its age, and writes an audit entry for every turn', async () => {
    const agent = await t.verifiedAgent(2, 'VOICE', 'voice-warm');
    const cold = await turn(agent);
    expect(cold.status).toBe(200);
    expect(JSON.parse(cold.text).data.verifiedCustomer.id).toBe(t.data.customers[2].id);
    expect(cold.age).toBeNull();
    const warm = [await turn(agent), await turn(agent)];
    for (const answer of warm) {
      expect(answer).toEqual({ ...cold, age: expect.stringMatching(/^\d+$/) });
    }
    expect((await entries('voice-warm')).map((e) => e.customerId)).toEqual(Array(3).fill(t.data.customers[2].id));
  });

  it('still verifies every turn: no token, or a session that is not this channel’s, is refused though the answer is cached', async () => {
    const agent = await t.verifiedAgent(3, 'CHAT', 'chat-warm');
    expect((await turn(agent)).status).toBe(200);
    const { authorization: _token, ...withoutToken } = agent;
    const anonymous = await turn(withoutToken);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const voice = await t.asAgent('VOICE', { agentId: 'chat-warm', session: agent['x-verified-session'] });
    const otherChannel = await turn(voice);
    expect(otherChannel.status).toBe(403);
    expect(JSON.parse(otherChannel.text).data).toBeUndefined();
    expect(await entries('chat-warm')).toHaveLength(1);
  });

  it('is withheld when its audit entry cannot be written (the CRM is down)', async () => {
    const agent = await t.verifiedAgent(4, 'VOICE', 'voice-audit-down');
    expect((await turn(agent)).status).toBe(200);
    await t.stack.subgraphs.customers.close();
    const withheld = await turn(agent);
    expect(JSON.parse(withheld.text)).toEqual({ errors: [{ message: 'The audit log is unavailable; try again', extensions: { code: 'BACKEND_UNAVAILABLE' } }] });
  });
});
