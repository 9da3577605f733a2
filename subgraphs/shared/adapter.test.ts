import { z } from 'zod';
import { adapterSettingsFromEnv, adapterVariable, backendCalls, createAdapter, defineAdapter, withCallCount, withLatency } from './adapter';

describe('adapter settings from the environment', () => {
  const env = {
    ORDERS_ADAPTER: 'commercetools',
    ORDERS_COMMERCETOOLS_PROJECT_KEY: 'brand-prod',
    ORDERS_COMMERCETOOLS_CLIENT_SECRET: 's3cret-value',
    ORDERS_COMMERCETOOLS_REQUESTS_PER_SECOND: '40',
    ORDERS_COMMERCETOOLS_EMPTY: '',
    PAYMENTS_STRIPE_SECRET_KEY: 'sk_test_other_subgraph',
  };
  const commercetools = defineAdapter({
    name: 'commercetools',
    config: z.object({ projectKey: z.string().min(1), clientSecret: z.string().min(1), clientId: z.string().min(1), requestsPerSecond: z.coerce.number().int().positive() }),
    create: (config) => config,
  });

  it('reads <SUBGRAPH>_<ADAPTER>_* variables into camelCase keys, and nothing else', () => {
    expect(adapterSettingsFromEnv('orders', 'commercetools', env)).toEqual({ projectKey: 'brand-prod', clientSecret: 's3cret-value', requestsPerSecond: '40' });
  });

  it('names a setting by its variable', () => {
    expect(adapterVariable('orders', 'commercetools', 'clientId')).toBe('ORDERS_COMMERCETOOLS_CLIENT_ID');
  });

  it('fails at start naming the missing variable, never printing a value', async () => {
    const settings = adapterSettingsFromEnv('orders', 'commercetools', env);
    const failure = createAdapter({ commercetools }, 'commercetools', settings, {}, 'orders');
    await expect(failure).rejects.toThrow(/ORDERS_COMMERCETOOLS_CLIENT_ID/);
    await expect(failure).rejects.not.toThrow(/s3cret-value|brand-prod/);
  });

  it('builds the adapter from valid settings, coerced by its schema', async () => {
    const settings = adapterSettingsFromEnv('orders', 'commercetools', { ...env, ORDERS_COMMERCETOOLS_CLIENT_ID: 'graph' });
    await expect(createAdapter({ commercetools }, 'commercetools', settings, {}, 'orders')).resolves.toEqual({
      projectKey: 'brand-prod', clientSecret: 's3cret-value', clientId: 'graph', requestsPerSecond: 40,
    });
  });
});

describe('measuring slow backends', () => {
  it('delays each call by a delay drawn from the range, and answers what the port answers', async () => {
    const port = withLatency({ read: async (ids: string[]) => ids.map((id) => id.toUpperCase()) }, 30, 90);
    const random = jest.spyOn(Math, 'random').mockReturnValue(1);
    try {
      const started = performance.now();
      await expect(port.read(['a', 'b'])).resolves.toEqual(['A', 'B']);
      // The draw's top end (timers never fire early; 1 ms of rounding); a loaded machine only makes it later.
      expect(performance.now() - started).toBeGreaterThanOrEqual(89);
    } finally {
      random.mockRestore();
    }
  });

  it('counts the calls that reach the system of record by method, not its health check or change feed', async () => {
    const system = { getOrders: async (ids: string[]) => ids.map(() => null), ping: async () => undefined, drainChanges: async () => 0, name: 'sql' };
    const counted = withCallCount(system);
    const before = { ...backendCalls };
    await counted.getOrders(['o1', 'o2']);
    await counted.getOrders(['o3']);
    await counted.ping();
    await counted.drainChanges();
    expect((backendCalls.getOrders ?? 0) - (before.getOrders ?? 0)).toBe(2);
    expect(backendCalls.ping).toBe(before.ping);
    expect(backendCalls.drainChanges).toBe(before.drainChanges);
    expect(counted.name).toBe('sql');
  });
});
