import type { Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db';
import { migrateSchema } from './db';
import { claimedWrite, createIdempotencyTable } from './idempotency';
import { createIdentityMap, createIdentityTable, withGraphCustomerIds, type IdentityTables } from './identity';
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
