import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db';
import { createOutboxTable, drainOutbox, emitChange, type Change } from './outbox';

describe('the outbox, on PostgreSQL', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await createOutboxTable(t.database.db);
  });
  afterAll(() => t?.drop());

  const pending = async () => Number((await sql<{ n: string }>`select count(*) as n from outbox`.execute(t.database.db)).rows[0].n);

  it('keeps a change whose write rolled back out, and a change whose delivery failed in, until it is delivered', async () => {
    await t.database.db
      .transaction()
      .execute(async (tx) => {
        await emitChange(tx, 'order.updated', { orderId: 'ord_rolled_back' });
        throw new Error('the write failed');
      })
      .catch(() => undefined);
    await t.database.db.transaction().execute((tx) => emitChange(tx, 'order.updated', { orderId: 'ord_1' }));
    expect(await pending()).toBe(1);

    await expect(drainOutbox(t.database.db, async () => Promise.reject(new Error('cache down')))).rejects.toThrow('cache down');
    expect(await pending()).toBe(1);

    const delivered: Change[] = [];
    await expect(drainOutbox(t.database.db, async (changes) => void delivered.push(...changes))).resolves.toBe(1);
    expect(delivered).toEqual([{ id: expect.any(String), type: 'order.updated', data: { orderId: 'ord_1' }, createdAt: expect.any(Date) }]);
    expect(await pending()).toBe(0);
  });

  it('lets two relays share the outbox without delivering a change twice at once', async () => {
    for (let i = 0; i < 10; i++) await emitChange(t.database.db, 'order.updated', { orderId: `ord_${i}` });
    const seen: string[] = [];
    const slow = async (changes: Change[]) => {
      seen.push(...changes.map((c) => c.id));
      await new Promise((r) => setTimeout(r, 100));
    };
    const [a, b] = await Promise.all([drainOutbox(t.database.db, slow, 5), drainOutbox(t.database.db, slow, 5)]);
    expect(a + b).toBe(10);
    expect(new Set(seen).size).toBe(10);
  });
});
