import type { Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db';
import { migrateSchema } from './db';
import { claimedWrite, createIdempotencyTable } from './idempotency';
import { createIdentityMap, createIdentityTable, soleOwners, withGraphCustomerIds, type IdentityTables } from './identity';
import { createLogger } from './logger';

describe('one customer across systems (the identity map) on PostgreSQL', () => {
  let t: TestDatabase;
  let db: Kysely<any>;
  beforeAll(async () => {
    t = await createTestDatabase();
    await migrateSchema(t.database.db, 'records', {
      '1': { up: async (m) => { await createIdentityTable(m); await createIdempotencyTable(m); } },
    });
    db = t.database.db.withSchema('records');
  });
  afterAll(() => t?.drop());

  // A vendor that keeps the graph's id in its own field for some of its customers, and counts the asking.
  const vendor = () => {
    const byGraph = new Map([['cus_000001', 'ct-uuid-1'], ['cus_000002', 'ct-uuid-2']]);
    const asked: string[][] = [];
    return {
      asked,
      systemCustomerIds: async (ids: readonly string[]) => (asked.push([...ids]), ids.map((id) => byGraph.get(id) ?? null)),
      graphCustomerIds: async (ids: readonly string[]) => (asked.push([...ids]), ids.map((id) => [...byGraph].find(([, s]) => s === id)?.[0] ?? null)),
    };
  };

  it('asks the system once per person, keeps the link, and answers in key order', async () => {
    const links = vendor();
    const map = createIdentityMap(db as Kysely<IdentityTables>, 'commercetools', links, createLogger('test', 'silent'));
    await expect(map.toSystem(['cus_000002', 'cus_000009', 'cus_000001', 'cus_000002'])).resolves.toEqual(['ct-uuid-2', null, 'ct-uuid-1', 'ct-uuid-2']);
    await expect(map.toSystem(['cus_000001', 'cus_000002'])).resolves.toEqual(['ct-uuid-1', 'ct-uuid-2']);
    expect(links.asked).toEqual([['cus_000002', 'cus_000009', 'cus_000001']]);
    // Another replica (a fresh map) finds the links in the graph's records, without asking the vendor.
    const other = vendor();
    const replica = createIdentityMap(db as Kysely<IdentityTables>, 'commercetools', other, createLogger('test', 'silent'));
    await expect(replica.toGraph(['ct-uuid-1', 'ct-uuid-2'])).resolves.toEqual(['cus_000001', 'cus_000002']);
    expect(other.asked).toEqual([]);
  });

  it('keeps a customer nobody linked apart, under a namespaced id no caller can hold', async () => {
    const map = createIdentityMap(db as Kysely<IdentityTables>, 'commercetools', vendor(), createLogger('test', 'silent'));
    await expect(map.toGraph(['ct-uuid-stranger'])).resolves.toEqual(['commercetools:ct-uuid-stranger']);
    // ...and that id names the customer in its own system again, without asking anyone.
    await expect(map.toSystem(['commercetools:ct-uuid-stranger', 'cus_000001'])).resolves.toEqual(['ct-uuid-stranger', 'ct-uuid-1']);
    const order = { id: 'o1', customerId: 'ct-uuid-1', placedAt: new Date(0), returns: [{ id: 'r1', customerId: 'ct-uuid-stranger' }] };
    await expect(withGraphCustomerIds(order, map)).resolves.toEqual({ ...order, customerId: 'cus_000001', returns: [{ id: 'r1', customerId: 'commercetools:ct-uuid-stranger' }] });
  });

  it('links from a change event, and refuses a second id for a linked customer', async () => {
    const map = createIdentityMap(db as Kysely<IdentityTables>, 'stripe', {}, createLogger('test', 'silent'));
    await map.link([{ graphCustomerId: 'cus_000003', systemCustomerId: 'cus_StripeA' }], 'webhook');
    await map.link([{ graphCustomerId: 'cus_000003', systemCustomerId: 'cus_StripeB' }], 'webhook');
    const fresh = createIdentityMap(db as Kysely<IdentityTables>, 'stripe', {}, createLogger('test', 'silent'));
    await expect(fresh.toSystem(['cus_000003'])).resolves.toEqual(['cus_StripeA']);
    await expect(fresh.toGraph(['cus_StripeB'])).resolves.toEqual(['stripe:cus_StripeB']);
  });
});

describe('the email rule of the identity map on PostgreSQL', () => {
  let t: TestDatabase;
  let db: Kysely<IdentityTables>;
  beforeAll(async () => {
    t = await createTestDatabase();
    await migrateSchema(t.database.db, 'records', { '1': { up: async (m) => createIdentityTable(m) } });
    db = t.database.db.withSchema('records') as unknown as Kysely<IdentityTables>;
  });
  afterAll(() => t?.drop());

  // The CRM's emails, and a vendor whose customers hold no graph id: only their emails.
  const crm = new Map([['cus_000011', 'ann@example.com'], ['cus_000012', 'Ben@Example.com'], ['cus_000013', 'twin@example.com'], ['cus_000014', 'twin@example.com']]);
  const vendorCustomers = [{ id: 'v_ann', email: 'ANN@example.com' }, { id: 'v_ben1', email: 'ben@example.com' }, { id: 'v_ben2', email: 'ben@example.com' }, { id: 'v_twin', email: 'twin@example.com' }];
  const links = {
    systemCustomerIdsByEmail: async (emails: readonly string[]) => {
      const owners = soleOwners(vendorCustomers, (c) => c.email, (c) => c.id);
      return emails.map((e) => owners.get(e) ?? null);
    },
  };
  const emailsOf = async (ids: readonly string[]) => ids.map((id) => crm.get(id)?.toLowerCase() ?? null);

  it('links a customer to the one vendor customer with the same email, whatever the letter case', async () => {
    const map = createIdentityMap(db, 'vendor', links, createLogger('test', 'silent'), { emailsOf });
    await expect(map.toSystem(['cus_000011'])).resolves.toEqual(['v_ann']);
    await expect(map.toGraph(['v_ann'])).resolves.toEqual(['cus_000011']);
  });

  it('links no one where the email is shared, in the vendor or in the CRM', async () => {
    const map = createIdentityMap(db, 'vendor', links, createLogger('test', 'silent'), { emailsOf });
    // Two vendor customers share Ben's email; two graph customers share the twins'.
    await expect(map.toSystem(['cus_000012', 'cus_000013', 'cus_000014'])).resolves.toEqual([null, null, null]);
  });

  it('never moves an existing link to another customer', async () => {
    const map = createIdentityMap(db, 'vendor', links, createLogger('test', 'silent'), { emailsOf: async () => ['ann@example.com'] });
    // cus_000016's email is Ann's: the email rule would link it to v_ann, which is cus_000011's.
    await expect(map.toSystem(['cus_000016'])).resolves.toEqual([null]);
    await expect(createIdentityMap(db, 'vendor', {}, createLogger('test', 'silent')).toGraph(['v_ann'])).resolves.toEqual(['cus_000011']);
  });
});

describe('a write made once per key in another system (claimedWrite) on PostgreSQL', () => {
  let t: TestDatabase;
  let db: Kysely<any>;
  beforeAll(async () => {
    t = await createTestDatabase();
    await migrateSchema(t.database.db, 'records', { '1': { up: async (m) => createIdempotencyTable(m) } });
    db = t.database.db.withSchema('records');
  });
  afterAll(() => t?.drop());

  it('writes once for concurrent repeats, which all answer the first write', async () => {
    let writes = 0;
    const write = async () => {
      writes++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return `ret_${writes}`;
    };
    const answers = await Promise.all(Array.from({ length: 4 }, () => claimedWrite(db, 'initiateReturn', 'k-concurrent', { a: 1 }, write)));
    expect(writes).toBe(1);
    expect(answers.map((a) => a.id)).toEqual(['ret_1', 'ret_1', 'ret_1', 'ret_1']);
    expect(answers.filter((a) => !a.replayed)).toHaveLength(1);
  });

  it('frees the key when the write fails, so a retry writes; other input under the key is a CONFLICT', async () => {
    await expect(claimedWrite(db, 'initiateReturn', 'k-retry', { a: 1 }, async () => Promise.reject(new Error('vendor down')))).rejects.toThrow('vendor down');
    await expect(claimedWrite(db, 'initiateReturn', 'k-retry', { a: 1 }, async () => 'ret_ok')).resolves.toEqual({ id: 'ret_ok', replayed: false });
    await expect(claimedWrite(db, 'initiateReturn', 'k-retry', { a: 2 }, async () => 'ret_other')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('answers a repeat that outwaits a stuck first attempt with a retryable CONFLICT, writing nothing', async () => {
    let release!: () => void;
    const first = claimedWrite(db, 'initiateReturn', 'k-stuck', { a: 1 }, () => new Promise<string>((resolve) => (release = () => resolve('ret_slow'))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    let wrote = false;
    await expect(claimedWrite(db, 'initiateReturn', 'k-stuck', { a: 1 }, async () => ((wrote = true), 'ret_twice'), 200)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(wrote).toBe(false);
    release();
    await expect(first).resolves.toEqual({ id: 'ret_slow', replayed: false });
  });
});
