import { z } from 'zod';

/**
 * An adapter connects a subgraph's port to one backend. Plain object, no base class:
 *
 *   export const sqlOrders = defineAdapter({
 *     name: 'sql',
 *     config: z.object({}),
 *     create: (config, deps) => createSqlOrderSystem(deps.db),
 *   });
 *
 * `config` is parsed from the subgraph's adapter settings at start-up, so a bad setting fails fast.
 */
export interface AdapterDefinition<Port, Deps, Cfg extends z.ZodType> {
  name: string;
  config: Cfg;
  create(config: z.output<Cfg>, deps: Deps): Port | Promise<Port>;
}

export const defineAdapter = <Port, Deps, Cfg extends z.ZodType>(definition: AdapterDefinition<Port, Deps, Cfg>) =>
  definition;

/**
 * An adapter's settings from the environment: with ORDERS_ADAPTER=commercetools, every
 * ORDERS_COMMERCETOOLS_* variable, its rest in camelCase (ORDERS_COMMERCETOOLS_PROJECT_KEY → projectKey).
 */
export function adapterSettingsFromEnv(subgraph: string, adapter: string, env: Record<string, string | undefined> = process.env): Record<string, string> {
  const prefix = `${subgraph}_${adapter}_`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return Object.fromEntries(
    Object.entries(env)
      .filter((entry): entry is [string, string] => entry[0].startsWith(prefix) && entry[1] !== undefined && entry[1] !== '')
      .map(([name, value]) => [name.slice(prefix.length).toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), value]),
  );
}

/** The variable a setting comes from, for messages: ('orders', 'commercetools', 'projectKey') → ORDERS_COMMERCETOOLS_PROJECT_KEY. */
export const adapterVariable = (subgraph: string, adapter: string, key: string) =>
  `${subgraph}_${adapter}_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2')}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/**
 * Picks an adapter from a subgraph's literal map by name and builds it from validated settings;
 * a bad setting fails here, at start-up, naming it (its variable when `subgraph` is given), never its value.
 */
export async function createAdapter<Port, Deps>(
  adapters: Record<string, AdapterDefinition<Port, Deps, z.ZodType>>,
  name: string,
  settings: unknown,
  deps: Deps,
  subgraph?: string,
): Promise<Port> {
  const definition = adapters[name];
  if (!definition) {
    throw new Error(`unknown adapter "${name}"; available: ${Object.keys(adapters).join(', ')}`);
  }
  const parsed = definition.config.safeParse(settings ?? {});
  if (!parsed.success) {
    const where = (path: PropertyKey[]) => (subgraph && path.length ? adapterVariable(subgraph, name, String(path[0])) : path.join('.'));
    throw new Error(`adapter "${name}" config: ${parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ')}`);
  }
  return definition.create(parsed.data, deps);
}

/**
 * An adapter decorator that delays every call by `ms` (or a delay drawn per call up to `maxMs`):
 * stands in for a slow backend when measuring (BACKEND_LATENCY_MS), so the cache and the
 * gateway's parallel fetches can be judged.
 */
export function withLatency<Port extends object>(port: Port, ms: number, maxMs = ms): Port {
  if (maxMs <= 0) return port;
  const delay = () => new Promise((resolve) => setTimeout(resolve, ms + Math.random() * (maxMs - ms)));
  return Object.fromEntries(
    Object.entries(port).map(([name, fn]) => [
      name,
      typeof fn === 'function' ? async (...args: unknown[]) => (await delay(), fn(...args)) : fn,
    ]),
  ) as Port;
}

/** Calls that reached a system of record, by method, in this process (see withCallCount). */
export const backendCalls: Record<string, number> = {};

/** Counts each call of a system-of-record port in `backendCalls` (not its health check or change feed): when measuring, what a vendor's rate limit would see. */
export function withCallCount<Port extends object>(port: Port): Port {
  return Object.fromEntries(
    Object.entries(port).map(([name, fn]) => [
      name,
      typeof fn === 'function' && name !== 'ping' && name !== 'drainChanges' ? (...args: unknown[]) => ((backendCalls[name] = (backendCalls[name] ?? 0) + 1), fn.apply(port, args)) : fn,
    ]),
  ) as Port;
}
