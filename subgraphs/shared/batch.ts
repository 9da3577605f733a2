/** One value per key, in key order, null where a key has none: DataLoader's contract. */
export function byKey<K, V>(keys: readonly K[], values: readonly V[], keyOf: (value: V) => K): (V | null)[] {
  const index = new Map<K, V>();
  for (const value of values) index.set(keyOf(value), value);
  return keys.map((key) => index.get(key) ?? null);
}

/** All values per key, in key order (empty where a key has none), each list in the input's order. */
export function groupByKey<K, V>(keys: readonly K[], values: readonly V[], keyOf: (value: V) => K): V[][] {
  const index = new Map<K, V[]>();
  for (const value of values) {
    const key = keyOf(value);
    const list = index.get(key);
    if (list) list.push(value);
    else index.set(key, [value]);
  }
  return keys.map((key) => index.get(key) ?? []);
}

/** The distinct keys of a batch: DataLoader may pass duplicates when its cache is off. */
export const distinct = <K>(keys: readonly K[]): K[] => [...new Set(keys)];

/** Splits rows into slices, so a bulk insert stays under PostgreSQL's 65,535 bind parameters. */
export function* chunks<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/**
 * Group commit: writes that arrive while one is in flight go together as the next one, so a
 * burst costs one round trip per wave, not one per request. Each caller's promise settles with
 * the wave that carried its items.
 */
export function groupCommit<T>(write: (items: T[]) => Promise<void>): (items: readonly T[]) => Promise<void> {
  let queue: { items: readonly T[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let running = false;
  async function drain() {
    running = true;
    while (queue.length) {
      const wave = queue;
      queue = [];
      try {
        await write(wave.flatMap((w) => w.items));
        wave.forEach((w) => w.resolve());
      } catch (err) {
        wave.forEach((w) => w.reject(err));
      }
    }
    running = false;
  }
  return (items) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ items, resolve, reject });
      if (!running) void drain();
    });
}
