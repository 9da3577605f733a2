import { z } from 'zod';

/**
 * An adapter connects a subgraph's port to one backend. Plain object, no base class:
 *
 *   export const sqlOrders = defineAdapter({
 *     name: 'sql',
 *     config: z.object({}),
 *     create: (config, deps) => createSqlOrderSource(deps.db),
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

/** Picks an adapter from a subgraph's literal map by name and builds it from validated settings. */
export async function createAdapter<Port, Deps>(
  adapters: Record<string, AdapterDefinition<Port, Deps, z.ZodType>>,
  name: string,
  settings: unknown,
  deps: Deps,
): Promise<Port> {
  const definition = adapters[name];
  if (!definition) {
    throw new Error(`unknown adapter "${name}"; available: ${Object.keys(adapters).join(', ')}`);
  }
  const parsed = definition.config.safeParse(settings ?? {});
  if (!parsed.success) {
    throw new Error(`adapter "${name}" config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return definition.create(parsed.data, deps);
}

/**
 * An adapter decorator that delays every call by `ms`: stands in for a slow backend when
 * measuring (BACKEND_LATENCY_MS), so the cache and the gateway's parallel fetches can be judged.
 */
export function withLatency<Port extends object>(port: Port, ms: number): Port {
  if (ms <= 0) return port;
  const delay = () => new Promise((resolve) => setTimeout(resolve, ms));
  return Object.fromEntries(
    Object.entries(port).map(([name, fn]) => [
      name,
      typeof fn === 'function' ? async (...args: unknown[]) => (await delay(), fn(...args)) : fn,
    ]),
  ) as Port;
}
