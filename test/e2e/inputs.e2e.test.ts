import { signViewer, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { assertNoCardNumbers, assertNoCardNumbersInDatabase, assertNoCardNumbersInRedis } from '../helpers/pan';
import { TEST_REDIS_URL } from '../helpers/db';
import { startTestStack, type GraphQLResult, type TestStack } from '../helpers/stack';

const codeOf = (body: GraphQLResult['body']) => body.errors?.[0]?.extensions?.code;
const ORDER = /* GraphQL */ `query ($id: ID!) { order(id: $id) { id number } }`;
const AUDIT_PAGE = (first: number) => /* GraphQL */ `{ auditLog(first: ${first}) { id at actorKind actorId channel customerId fields } }`;

/** The card numbers of the issue, each sent where an id, a key or a string enters. */
const PANS = { discover: '6011111111111117', jcbSpaced: '3530 1113 3330 0000', mastercard: '5105105105105100', visa13: '4222222222222', visa: '4111 1111 1111 1111' };

/** Ids and strings are checked where they enter: as NODE_ENV=production runs, with Redis, through every process. */
describe('input at the door', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({
      customers: 3,
      redis: true,
      env: {
        NODE_ENV: 'production',
        WEBHOOK_SECRET: 'a-webhook-secret-for-this-test',
        GATEWAY_SECRET: 'a-gateway-secret-for-this-test-0123456789',
        AUTH_JWT_SECRET: 'an-auth-secret-for-this-test-0123456789abc',
      },
    });
  });
  afterAll(() => t?.close());

  /** A refusal that names the argument and never says what was sent. */
  const expectRefused = (result: GraphQLResult, argument: string, sent: string) => {
    expect([result.status, codeOf(result.body), result.body.errors?.[0]?.extensions?.argument]).toEqual([400, 'BAD_USER_INPUT', argument]);
    expect(result.body.data ?? null).toBeNull();
    expect(JSON.stringify(result.body)).not.toContain(sent);
  };

  it('refuses bytes that are no id (a NUL) before PostgreSQL sees them, so a run of them opens no breaker', async () => {
    const customer = t.data.customers[1];
    const self = await t.asCustomer(customer.id);
    for (let i = 0; i < 8; i++) expectRefused(await t.query(ORDER, { id: 'ord_\u0000x' }, self), 'id', '\u0000');
    expectRefused(await t.query(ORDER, { id: 'ord_\ud800x' }, self), 'id', '\ud800');
    const order = t.data.orders.find((o) => o.customerId === customer.id)!;
    expect((await t.query(ORDER, { id: order.id }, await t.asCustomer(customer.id))).body).toEqual({ data: { order: { id: order.id, number: order.number } } });
    expect(t.logLines.join('')).not.toMatch(/invalid byte sequence|unexpected error/);
  });

  it('refuses a card number wherever an id or key enters, never echoes it, and keeps none anywhere', async () => {
    const customer = t.data.customers[0];
    const self = await t.asCustomer(customer.id);
    const bot = await t.verifiedAgent(0, 'VOICE');
    const order = t.data.orders.find((o) => o.customerId === customer.id)!;

    expectRefused(await t.query(ORDER, { id: PANS.discover }, self), 'id', PANS.discover);
    expectRefused(await t.query(ORDER, { id: Number(PANS.discover) }, self), 'id', PANS.discover);
    expectRefused(await t.query(`{ order(id: ${PANS.discover}) { id } }`, undefined, self), 'id', PANS.discover);
    expectRefused(await t.query(ORDER, { id: `ord_${PANS.discover}` }, self), 'id', PANS.discover);
    expectRefused(await t.query(ORDER, { id: 'x'.repeat(129) }, self), 'id', 'x'.repeat(129));

    const interaction = { customerId: customer.id, channel: 'VOICE', intent: 'OTHER', outcome: 'RESOLVED', summary: 'asked about the order', idempotencyKey: 'ids-1' };
    expectRefused(await t.operation('RecordInteraction', { input: { ...interaction, orderId: PANS.discover } }, bot), 'input.orderId', PANS.discover);
    expectRefused(
      await t.operation('RecordInteraction', { input: { ...interaction, orderId: order.id, lineItemIds: [t.data.lineItems.find((l) => l.orderId === order.id)!.id, PANS.jcbSpaced] } }, bot),
      'input.lineItemIds[1]',
      PANS.jcbSpaced,
    );
    expectRefused(await t.operation('RecordInteraction', { input: { ...interaction, idempotencyKey: `${PANS.mastercard}-1` } }, bot), 'input.idempotencyKey', PANS.mastercard);
    expectRefused(await t.operation('RecordInteraction', { input: { ...interaction, idempotencyKey: 'has space' } }, bot), 'input.idempotencyKey', 'has space');
    const escalation = { customerId: customer.id, fromChannel: 'VOICE', toChannel: 'HUMAN_DESK', intent: 'OTHER', stepsTried: [], failureReason: 'needs a person', summary: 'wants a person', idempotencyKey: 'ids-2' };
    expectRefused(await t.operation('Escalate', { input: { ...escalation, orderId: `ord_${PANS.discover}` } }, bot), 'input.orderId', PANS.discover);
    expectRefused(
      await t.operation('InitiateReturn', { input: { orderId: order.id, items: [{ lineItemId: PANS.discover, quantity: 1, reason: 'DOES_NOT_FIT' }], idempotencyKey: 'ids-3' } }, self),
      'input.items[0].lineItemId',
      PANS.discover,
    );
    // A well-formed id that is not the order's is named by its place in the input, not echoed.
    const foreign = await t.operation('InitiateReturn', { input: { orderId: order.id, items: [{ lineItemId: 'li_nope_1', quantity: 1, reason: 'DOES_NOT_FIT' }], idempotencyKey: 'ids-4' } }, self);
    expect(codeOf(foreign.body)).toBe('BAD_USER_INPUT');
    expect(foreign.body.errors![0].message).not.toContain('li_nope_1');

    // Coercion errors say what was wrong, not the value: variables and literals alike.
    const asNumber = await t.query('query ($email: String!) { identifyByEmail(email: $email) { matchedBy } }', { email: Number(PANS.visa13) }, bot);
    expect([codeOf(asNumber.body), asNumber.body.errors![0].message]).toEqual(['BAD_USER_INPUT', 'Variable "$email" has an invalid value: String cannot represent a non string value.']);
    const literal = await t.query(`{ identifyByEmail(email: ${PANS.visa13}) { matchedBy } }`, undefined, bot);
    expect([codeOf(literal.body), literal.body.errors![0].message]).toEqual(['GRAPHQL_VALIDATION_FAILED', 'String cannot represent a non string value.']);
    const asKey = await t.operation('RecordInteraction', { input: { ...interaction, [`x${PANS.visa13}`]: 1 } }, bot);
    expect(asKey.body.errors![0].message).toBe('Variable "$input" has an invalid value: A field that type "RecordInteractionInput" does not define was given.');
    expect(JSON.stringify([asNumber.body, literal.body, asKey.body])).not.toContain(PANS.visa13);

    // A subgraph called directly checks the same.
    const direct = await fetch(t.stack.subgraphUrls.customers, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [VIEWER_HEADER]: signViewer({ kind: 'customer', id: customer.id }, t.stack.config.gatewaySecret, { audience: 'customers', requestId: 'ids-test' }) },
      body: JSON.stringify({ query: `mutation ($input: RecordInteractionInput!) { recordInteraction(input: $input) { id } }`, variables: { input: { ...interaction, orderId: PANS.discover } } }),
    });
    const directBody = await direct.text();
    assertNoCardNumbers(directBody, 'the customers subgraph’s answer');
    expect(JSON.parse(directBody).errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.orderId' });

    // Free text keeps its words and loses the card number: an erasure's reason is stored in the audit log.
    const ops = await t.asOperations();
    const erased = await t.query(
      `mutation ($input: EraseCustomerInput!) { eraseCustomer(input: $input) { customerId } }`,
      { input: { customerId: t.data.customers[2].id, reason: `request by letter, card ${PANS.visa} on it` } },
      ops,
    );
    expect(erased.body.errors).toBeUndefined();
    const audit = await t.query(`query ($id: ID) { auditLog(customerId: $id) { fields } }`, { id: t.data.customers[2].id }, ops);
    expect(audit.body.data.auditLog[0].fields).toEqual(['ERASE', 'reason: request by letter, card [card number removed] on it']);

    // What every place holds afterwards: the answers (each scanned by t.query), the tables, Redis, the logs.
    await t.operation('FirstLook', { customerId: customer.id }, self);
    await assertNoCardNumbersInDatabase(t.stack.database.db);
    await assertNoCardNumbersInRedis(TEST_REDIS_URL, t.stack.config.cacheNamespace);
    assertNoCardNumbers(t.logLines.join(''), 'the logs');
  });

  it('suggests nothing in production, for variables as for the document', async () => {
    const bot = await t.asAgent('VOICE');
    const input = { callerId: t.data.customers[1].id, channel: 'VOICEE', method: 'POSTAL_CODE', answer: '00000', identification: 'idn-test' };
    const asVariable = await t.operation('VerifyCaller', { input }, bot);
    expect([codeOf(asVariable.body), asVariable.body.errors![0].message]).toEqual(['BAD_USER_INPUT', 'Variable "$input" has an invalid value at "input.channel": The value is not one of enum "Channel".']);
    const misspeltField = await t.operation('VerifyCaller', { input: { ...input, channel: 'VOICE', callerID: 'x' } }, bot);
    const asLiteral = await t.query('mutation { verifyCaller(input: { callerId: "cus_000001", channel: VOICEE, method: POSTAL_CODE, answer: "0", identification: "idn-test" }) { status } }', undefined, bot);
    for (const { body } of [asVariable, misspeltField, asLiteral]) {
      expect(body.errors?.length).toBeGreaterThan(0);
      expect(JSON.stringify(body.errors)).not.toMatch(/Did you mean|VOICEE/);
    }
  });

  it('answers the audit log’s whole documented page, every field, and refuses one more', async () => {
    const ops = await t.asOperations();
    const full = await t.query(AUDIT_PAGE(500), undefined, ops);
    expect(full.body.errors).toBeUndefined();
    expect(Array.isArray(full.body.data.auditLog)).toBe(true);
    const over = await t.query(AUDIT_PAGE(501), undefined, ops);
    expect([codeOf(over.body), over.body.errors![0].extensions!.argument]).toEqual(['BAD_USER_INPUT', 'first']);
  });
});
