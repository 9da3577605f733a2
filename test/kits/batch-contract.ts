import type { CustomerLink, CustomerLinks } from '../../subgraphs/shared/identity';
/**
 * The batch-read contract every port method follows (DataLoader's): answers in key order, one
 * answer per key even for duplicates, null (or an empty list) for a key the backend lacks, and
 * nothing asked of the backend for an empty key list.
 */
export const MISSING_KEY = 'zz_missing_key';

export function itReadsByKey<V>(
  name: string,
  read: (keys: readonly string[]) => Promise<(V | null)[]>,
  expected: () => Map<string, V>,
): void {
  describe(name, () => {
    it('answers in key order, with duplicates, and null for a missing key', async () => {
      const known = [...expected().keys()].slice(0, 4).reverse();
      const keys = [known[0], MISSING_KEY, ...known, known[0]];
      const values = await read(keys);
      expect(values).toEqual(keys.map((key) => expected().get(key) ?? null));
    });
    it('answers an empty key list with an empty list', async () => {
      await expect(read([])).resolves.toEqual([]);
    });
  });
}

export function itListsByKey<V>(
  name: string,
  list: (keys: readonly string[]) => Promise<V[][]>,
  expected: (key: string) => V[],
  keys: () => string[],
): void {
  describe(name, () => {
    it('answers each key with its list, in order, and an empty list for a missing key', async () => {
      const asked = [...keys().slice(0, 5).reverse(), MISSING_KEY, keys()[0]];
      const lists = await list(asked);
      expect(lists).toHaveLength(asked.length);
      asked.forEach((key, i) => expect(lists[i]).toEqual(expected(key)));
    });
    it('answers an empty key list with an empty list', async () => {
      await expect(list([])).resolves.toEqual([]);
    });
  });
}

/** Newest first by a time, ties broken by id descending: how every "recent" list is ordered. */
export const newestFirst =
  <V extends { id: string }>(at: (v: V) => Date) =>
  (a: V, b: V) =>
    at(b).getTime() - at(a).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export const oldestFirst =
  <V extends { id: string }>(at: (v: V) => Date | null) =>
  (a: V, b: V) =>
    (at(a)?.getTime() ?? 0) - (at(b)?.getTime() ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export const indexBy = <V>(values: V[], keyOf: (v: V) => string) => new Map(values.map((v) => [keyOf(v), v]));

/**
 * A system whose customer ids differ from the graph's links them both ways (its CustomerLinks); one
 * that shares the graph's ids, or holds no such field, says so instead.
 */
export function itLinksCustomers(system: () => CustomerLinks, links: () => readonly CustomerLink[] | undefined): void {
  it('links the graph’s customers to its own both ways, where its ids differ', async () => {
    const known = links() ?? [];
    if (!known.length) {
      expect(system().sharesGraphCustomerIds || (!system().systemCustomerIds && !system().graphCustomerIds)).toBeTruthy();
      return;
    }
    const some = known.slice(0, 5);
    await expect(system().systemCustomerIds!([...some.map((l) => l.graphCustomerId), MISSING_KEY])).resolves.toEqual([...some.map((l) => l.systemCustomerId), null]);
    await expect(system().graphCustomerIds!([MISSING_KEY, ...some.map((l) => l.systemCustomerId)])).resolves.toEqual([null, ...some.map((l) => l.graphCustomerId)]);
  });
}
