import { sql } from 'kysely';
import { loadTools } from '../../gateway/agents/tools';
import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type Caller, type TestStack } from '../helpers/stack';

/** Codes that mean "not for you": the answer a caller gets for what it may not read or change. */
const DENIED = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'VERIFICATION_REQUIRED'];
const codeOf = (body: { errors?: { extensions?: Record<string, unknown> }[] }) => body.errors?.[0]?.extensions?.code as string | undefined;

type Target = 'A' | 'B';
interface CallerCell {
  name: string;
  headers: Caller;
  kind: 'anonymous' | 'customer' | 'agent' | 'operations';
  /** The customer whose data this caller may read in full, if any. */
  scope?: Target;
}

/**
 * Every named operation, as every kind of caller (verified and not), against two customers:
 * what each may read or change, and that no cell ever answers with the other customer's data.
 */
describe('who may run which operation, against whose data', () => {
  let t: TestStack;
  let callers: CallerCell[];
  const people = {} as Record<Target, { id: string; lastName: string; email: string; phone: string | null; postal: string; line1: string; orderId: string; orderNumber: string; lineItemId: string; handoffId: string; currency: string }>;

  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
    const pick = async (target: Target, scenario: (typeof ORDER_SCENARIOS)[number]) => {
      const index = ORDER_SCENARIOS.indexOf(scenario);
      const c = t.data.customers[index];
      const order = t.data.orders.find((o) => o.customerId === c.id && o.id.endsWith('_1'))!;
      const shipping = c.addresses.find((a) => a.kind === 'SHIPPING')!;
      const escalated = await t.operation(
        'Escalate',
        { input: { customerId: c.id, fromChannel: 'PORTAL', toChannel: 'VOICE', intent: 'OTHER', stepsTried: ['tried'], failureReason: 'stuck', summary: 'needs help', idempotencyKey: `authz-${target}` } },
        await t.asCustomer(c.id),
      );
      const balance = t.data.payments.find((p) => p.customerId === c.id && p.status === 'AWAITING_PAYMENT');
      people[target] = {
        id: c.id, lastName: c.lastName, email: c.email, phone: c.phone, postal: shipping.postalCode, line1: shipping.line1,
        orderId: order.id, orderNumber: order.number, lineItemId: t.data.lineItems.find((i) => i.orderId === order.id)!.id,
        handoffId: escalated.body.data.escalate.id, currency: balance?.amount.currency ?? order.currency,
      };
      return index;
    };
    const a = await pick('A', 'payment_overdue');
    const b = await pick('B', 'pay_later_open');
    callers = [
      { name: 'anonymous', headers: {}, kind: 'anonymous' },
      { name: 'customer A', headers: await t.asCustomer(people.A.id), kind: 'customer', scope: 'A' },
      { name: 'customer B', headers: await t.asCustomer(people.B.id), kind: 'customer', scope: 'B' },
      { name: 'agent, not verified', headers: await t.asAgent('VOICE'), kind: 'agent' },
      { name: 'agent verified for A', headers: await t.verifiedAgent(a, 'VOICE'), kind: 'agent', scope: 'A' },
      { name: 'agent verified for B', headers: await t.verifiedAgent(b, 'VOICE'), kind: 'agent', scope: 'B' },
      { name: 'operations', headers: await t.asOperations(), kind: 'operations' },
    ];
  });
  afterAll(() => t?.close());

  const rows = async (table: string, column: string, value: string) =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(t.stack.database.db)).rows[0].n);

  const handoffState = async (id: string) =>
    (await sql<{ status: string; acceptedBy: string | null }>`select status, accepted_by from customers_records.handoffs where id = ${id}`.execute(t.stack.database.db)).rows[0];

  /** Who may run each operation: `mine` is whether the caller's scope is the target customer. */
  const OPERATIONS: {
    name: string;
    variables: (x: (typeof people)['A'], caller: CallerCell, cell: string) => Record<string, unknown>;
    allowed: (caller: CallerCell, mine: boolean) => boolean;
    /** For a write: what it would change for the target, which a refused write must leave alone. */
    writes?: (x: (typeof people)['A']) => Promise<unknown>;
  }[] = [
    { name: 'FirstLook', variables: (x) => ({ customerId: x.id }), allowed: (_, mine) => mine },
    { name: 'CustomerContext', variables: () => ({}), allowed: (c) => c.kind === 'agent' && Boolean(c.scope) },
    { name: 'OrderPage', variables: (x) => ({ orderId: x.orderId }), allowed: (_, mine) => mine },
    { name: 'ReturnEligibility', variables: (x) => ({ orderId: x.orderId }), allowed: (_, mine) => mine },
    { name: 'IdentifyByOrderNumber', variables: (x) => ({ orderNumber: x.orderNumber }), allowed: (c) => c.kind === 'agent' },
    { name: 'IdentifyByPhone', variables: (x) => ({ phone: x.phone ?? '+4915100000000' }), allowed: (c) => c.kind === 'agent' },
    { name: 'IdentifyByEmail', variables: (x) => ({ email: x.email }), allowed: (c) => c.kind === 'agent' },
    { name: 'ReturnPolicy', variables: () => ({ category: 'shoes', country: 'DE' }), allowed: (c) => c.kind !== 'anonymous' },
    {
      name: 'ContactRate',
      variables: () => ({ from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date().toISOString() }),
      allowed: (c) => c.kind === 'operations',
    },
    {
      name: 'RecordInteraction',
      variables: (x, c, cell) => ({ input: { customerId: x.id, channel: c.kind === 'agent' ? 'VOICE' : 'PORTAL', intent: 'OTHER', outcome: 'RESOLVED', summary: 'matrix', idempotencyKey: `ri-${cell}` } }),
      allowed: (_, mine) => mine,
      writes: (x) => rows('customers_records.interactions', 'customer_id', x.id),
    },
    {
      name: 'Escalate',
      variables: (x, c, cell) => ({
        input: { customerId: x.id, fromChannel: c.kind === 'agent' ? 'VOICE' : 'PORTAL', toChannel: 'HUMAN_DESK', intent: 'OTHER', stepsTried: ['a'], failureReason: 'b', summary: 'c', idempotencyKey: `esc-${cell}` },
      }),
      allowed: (_, mine) => mine,
      writes: (x) => rows('customers_records.handoffs', 'customer_id', x.id),
    },
    {
      name: 'AcceptHandoff',
      variables: (x) => ({ input: { handoffId: x.handoffId, agentId: 'ignored', channel: 'VOICE' } }),
      allowed: (c, mine) => c.kind === 'agent' && mine,
      writes: (x) => handoffState(x.handoffId),
    },
    {
      name: 'ResolveHandoff',
      variables: (x, _, cell) => ({ input: { handoffId: x.handoffId, agentId: 'ignored', channel: 'VOICE', outcome: 'RESOLVED', summary: 'done', idempotencyKey: `res-${cell}` } }),
      allowed: (c, mine) => c.kind === 'agent' && mine,
      writes: async (x) => [await handoffState(x.handoffId), await rows('customers_records.interactions', 'customer_id', x.id)],
    },
    {
      name: 'InitiateReturn',
      variables: (x, _, cell) => ({ input: { orderId: x.orderId, idempotencyKey: `ret-${cell}`, items: [{ lineItemId: x.lineItemId, quantity: 1, reason: 'OTHER' }] } }),
      allowed: (c, mine) => mine && c.kind !== 'operations',
      writes: (x) => rows('oms.returns', 'order_id', x.orderId),
    },
    {
      name: 'PromiseToPay',
      variables: (x, c, cell) => ({
        input: { customerId: x.id, currency: x.currency, promisedFor: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10), channel: c.kind === 'agent' ? 'VOICE' : 'PORTAL', idempotencyKey: `ptp-${cell}` },
      }),
      allowed: (_, mine) => mine,
      writes: (x) => rows('payments_records.payment_promises', 'customer_id', x.id),
    },
  ];

  /** Text only customer X's own callers may ever see: their last name, email and street. */
  const secretsOf = (x: (typeof people)['A']) => [x.lastName, x.email, x.line1];

  it.each(OPERATIONS.map((op) => [op.name, op] as const))('%s: each caller reads and changes only what it may', async (_, op) => {
    for (const caller of callers) {
      for (const target of ['A', 'B'] as const) {
        const x = people[target];
        const cell = `${op.name}|${caller.name}|${target}`;
        const mine = caller.scope === target;
        const before = op.writes && (await op.writes(x));
        const { body } = await t.operation(op.name, op.variables(x, caller, cell.replace(/\W+/g, '-')), caller.headers);
        const text = JSON.stringify(body);
        for (const other of ['A', 'B'] as const) {
          if (caller.scope !== other) for (const secret of secretsOf(people[other])) expect([cell, text.includes(secret)]).toEqual([cell, false]);
        }
        const code = codeOf(body);
        if (op.allowed(caller, mine)) {
          expect([cell, DENIED.includes(code ?? '')]).toEqual([cell, false]);
          expect([cell, body.data == null]).toEqual([cell, false]);
        } else {
          const rootIsNull = body.data != null && Object.values(body.data).every((v) => v === null || (Array.isArray(v) && v.length === 0));
          expect([cell, DENIED.includes(code ?? '') || rootIsNull]).toEqual([cell, true]);
          if (op.writes) expect([cell, await op.writes(x)]).toEqual([cell, before]);
        }
      }
    }
  });

  it('offers each operation as an AI agent tool to exactly the callers this matrix lets run it', () => {
    // gateway/agents/tools.ts lists tools by role from its own table: it must say what the subgraphs enforce.
    const tools = [...loadTools().values()];
    for (const op of OPERATIONS) {
      const tool = tools.find((candidate) => candidate.operationName === op.name);
      expect([op.name, tool?.operationName]).toEqual([op.name, op.name]);
      const own = (kind: CallerCell['kind']): CallerCell => ({ name: kind, headers: {}, kind, scope: 'A' });
      const unscoped = (kind: CallerCell['kind']): CallerCell => ({ name: kind, headers: {}, kind });
      // Customers and verified agents act for their own customer; operations for none.
      const roles = (['customer', 'agent', 'operations'] as const).filter((kind) => (kind === 'operations' ? op.allowed(unscoped(kind), false) : op.allowed(own(kind), true)));
      expect([op.name, [...tool!.roles].sort()]).toEqual([op.name, [...roles].sort()]);
      if (roles.includes('agent')) expect([op.name, tool!.needsSession]).toEqual([op.name, !op.allowed(unscoped('agent'), false)]);
    }
  });

  it('answers two customers asked for at once (aliases) with only the caller’s own', async () => {
    const { body } = await t.query(
      /* GraphQL */ `query ($a: ID!, $b: ID!) { a: customer(id: $a) { lastName } b: customer(id: $b) { lastName } }`,
      { a: people.A.id, b: people.B.id },
      callers[1].headers,
    );
    expect(body.data).toEqual({ a: { lastName: people.A.lastName }, b: null });
  });

  it('refuses to name another customer’s order in one’s own interaction, and says nothing of it', async () => {
    const mine = await t.operation(
      'RecordInteraction',
      { input: { customerId: people.A.id, channel: 'PORTAL', intent: 'OTHER', outcome: 'RESOLVED', orderId: people.B.orderId, lineItemIds: [people.B.lineItemId], idempotencyKey: 'foreign-order' } },
      callers[1].headers,
    );
    // As if the order did not exist: the same answer as for an order no one has.
    expect(mine.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND', argument: 'orderId' }) })]);
    expect(mine.body.data).toBeNull();
    const bItems = t.data.lineItems.filter((i) => i.orderId === people.B.orderId).map((i) => i.title);
    for (const secret of [people.B.orderId, people.B.orderNumber, people.B.line1, ...bItems]) expect(JSON.stringify(mine.body)).not.toContain(secret);
  });

  it('exposes no _entities, _service or internal mutation through the gateway', async () => {
    for (const query of [
      `{ _entities(representations: [{ __typename: "Customer", id: "${people.B.id}" }]) { ... on Customer { lastName } } }`,
      '{ _service { sdl } }',
      `mutation { eraseOrderData(customerId: "${people.B.id}") { records } }`,
      `mutation { issueReturnLabel(input: { returnId: "r", orderId: "${people.B.orderId}", customerId: "${people.B.id}", rma: "x", country: "DE" }) { id } }`,
    ]) {
      const { body } = await t.query(query, undefined, callers[4].headers);
      expect([query.slice(0, 30), codeOf(body)]).toEqual([query.slice(0, 30), 'GRAPHQL_VALIDATION_FAILED']);
    }
  });

  it('refuses a session sent by a customer, a session of another channel, and a session-less verifiedCustomer', async () => {
    const session = callers[4].headers['x-verified-session'];
    expect(codeOf((await t.operation('CustomerContext', {}, { ...callers[1].headers, 'x-verified-session': session })).body)).toBe('FORBIDDEN');
    expect(codeOf((await t.operation('CustomerContext', {}, await t.asAgent('CHAT', { session }))).body)).toBe('FORBIDDEN');
    expect(codeOf((await t.operation('CustomerContext', {}, callers[1].headers)).body)).toBe('FORBIDDEN');
  });

  it('masks personal data for automated channels and shows it to the human desk and the customer', async () => {
    const profile = /* GraphQL */ `{ verifiedCustomer { email phone dateOfBirth addresses { line1 city } } }`;
    const index = ORDER_SCENARIOS.indexOf('payment_overdue');
    const bot = (await t.query(profile, undefined, callers[4].headers)).body.data.verifiedCustomer;
    expect(bot.email).toMatch(/^.•••@/);
    expect(bot.dateOfBirth).toBeNull();
    expect(bot.addresses[0].line1).toBe('•••');
    const desk = (await t.query(profile, undefined, await t.verifiedAgent(index, 'HUMAN_DESK'))).body.data.verifiedCustomer;
    expect(desk.email).toBe(people.A.email);
    expect(desk.addresses.map((a: { line1: string }) => a.line1)).toContain(people.A.line1);
    const own = (await t.query(`query ($id: ID!) { customer(id: $id) { email } }`, { id: people.A.id }, callers[1].headers)).body.data.customer;
    expect(own.email).toBe(people.A.email);
  });
});
