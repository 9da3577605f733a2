import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { createMemoryCache } from './cache';
import { entityId, event } from './events';
import type { IdentityMap } from './identity';
import { createLogger } from './logger';
import { vendorWebhookRoute, WebhookRefusal, type VendorWebhook } from './webhooks';

describe('a vendor webhook route', () => {
  const events = {
    'refund.updated': event(z.object({ refundId: entityId, orderId: entityId, customerId: entityId }), (e) => [`refund:${e.refundId}`, `order:${e.orderId}`, `customer:${e.customerId}`]),
  };
  // The vendor knows the customer as vcus_1; the graph as cus_000001.
  const linked = new Map<string, string>();
  const identities: IdentityMap = {
    system: 'vendor',
    toSystem: async (ids) => ids.map((id) => [...linked].find(([, g]) => g === id)?.[0] ?? null),
    toGraph: async (ids) => ids.map((id) => linked.get(id) ?? `vendor:${id}`),
    link: async (links) => links.forEach((l) => linked.set(l.systemCustomerId, l.graphCustomerId)),
  };
  const webhook: VendorWebhook = {
    path: '/webhooks/vendor',
    receive: async (body, headers) => {
      if (headers['x-vendor-signature'] !== 'good') throw new WebhookRefusal(401, 'UNAUTHENTICATED', 'bad signature');
      const parsed = JSON.parse(body);
      if (parsed.type === 'refund.done') return { id: parsed.id, changes: [{ type: 'refund.updated', data: { refundId: 're_1', orderId: 'ord_1', customerId: 'vcus_1' } }], links: [{ graphCustomerId: 'cus_000001', systemCustomerId: 'vcus_1' }] };
      if (parsed.type === 'mistranslated') return { id: parsed.id, changes: [{ type: 'refund.updated', data: { refundId: 're_1' } }] };
      if (parsed.type === 'product.created') return { id: parsed.id, changes: [] };
      throw new WebhookRefusal(400, 'BAD_REQUEST', 'not a vendor event');
    },
  };
  const setup = () => {
    const cache = createMemoryCache(100);
    const invalidated: string[] = [];
    cache.onInvalidate((tags) => invalidated.push(...tags));
    const route = vendorWebhookRoute({ webhook, events, identities, cache, logger: createLogger('test', 'silent') });
    const post = (body: unknown, signature = 'good') => route(JSON.stringify(body), { headers: { 'x-vendor-signature': signature } } as unknown as IncomingMessage);
    return { post, invalidated };
  };

  it('invalidates what the change makes stale, under the graph customer id the delivery linked', async () => {
    const { post, invalidated } = setup();
    await expect(post({ id: 'evt_1', type: 'refund.done' })).resolves.toMatchObject({ status: 200 });
    expect(invalidated).toEqual(['refund:re_1', 'order:ord_1', 'customer:cus_000001']);
  });

  it.each([
    ['a bad signature', { id: 'evt_2', type: 'refund.done' }, 'forged', 401],
    ['an unknown shape', { id: 'evt_3', type: 'nonsense' }, 'good', 400],
  ])('refuses %s and invalidates nothing', async (_, body, signature, status) => {
    const { post, invalidated } = setup();
    await expect(post(body, signature)).resolves.toMatchObject({ status });
    expect(invalidated).toEqual([]);
  });

  it('acknowledges a signed event the graph does not use, changing nothing', async () => {
    const { post, invalidated } = setup();
    await expect(post({ id: 'evt_4', type: 'product.created' })).resolves.toMatchObject({ status: 200 });
    expect(invalidated).toEqual([]);
  });

  it('invalidates nothing when the translation breaks the subgraph event contract', async () => {
    const { post, invalidated } = setup();
    await expect(post({ id: 'evt_5', type: 'mistranslated' })).rejects.toThrow(/does not define/);
    expect(invalidated).toEqual([]);
  });
});
