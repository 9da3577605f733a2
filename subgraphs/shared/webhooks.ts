import type { IncomingHttpHeaders } from 'node:http';
import type { Cache } from './cache';
import type { EventDefinition } from './events';
import { routeError, type Route } from './http';
import { withGraphCustomerIds, type CustomerLink, type IdentityMap } from './identity';
import type { Logger } from './logger';
import { invalidationLag } from './metrics';

/** What one vendor delivery means to the graph: its change events (in the system's customer ids) and customer links. */
export interface VendorDelivery {
  /** The vendor's event id, for the log. */
  id: string;
  changes: { type: string; data: Record<string, unknown> }[];
  links?: CustomerLink[];
}

/**
 * A vendor's webhook, contributed by its adapter (`webhooks` on the adapter's port):
 *
 *   { path: '/webhooks/stripe', receive: async (body, headers) => ({ id: event.id, changes: [...] }) }
 *
 * `receive` verifies the delivery as the vendor signs it and translates it into the subgraph's
 * change events; it throws WebhookRefusal to refuse (bad signature or stale timestamp: 401; not the
 * vendor's shape: 400). A signed event of a type the graph does not use answers no changes: it is
 * acknowledged, so the vendor does not retry it for days.
 */
export interface VendorWebhook {
  path: string;
  receive(rawBody: string, headers: IncomingHttpHeaders): Promise<VendorDelivery>;
}

export class WebhookRefusal extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly code: 'UNAUTHENTICATED' | 'BAD_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}

/**
 * The route a vendor webhook is served on: verified and translated by the adapter, its customer
 * links kept, its changes checked against the subgraph's own event definitions and invalidated
 * here and in every replica, as POST /events does for the graph's own events.
 */
export function vendorWebhookRoute(options: {
  webhook: VendorWebhook;
  events: Record<string, EventDefinition<any>>;
  identities: IdentityMap;
  cache: Pick<Cache, 'invalidateTags'>;
  logger: Logger;
  /** The subgraph, as the invalidation lag metric names it. */
  service?: string;
}): Route {
  const { webhook, events, identities, cache, logger } = options;
  const lag = invalidationLag.labels(options.service ?? 'subgraph', 'webhook');
  return async (rawBody, req) => {
    const received = Date.now();
    let delivery: VendorDelivery;
    try {
      delivery = await webhook.receive(rawBody, req.headers);
    } catch (err) {
      if (err instanceof WebhookRefusal) return routeError(err.status, err.code, err.message);
      throw err;
    }
    // The changes are checked before anything is written: a delivery the graph cannot read changes nothing.
    const checked = delivery.changes.map((change) => {
      const definition = events[change.type];
      const data = definition?.data.safeParse(change.data);
      if (!definition || !data?.success) throw new Error(`the ${webhook.path} translator produced a change the subgraph does not define (${change.type})`);
      return { definition, data: data.data as Record<string, unknown> };
    });
    if (delivery.links?.length) await identities.link(delivery.links, `webhook:${webhook.path}`);
    const tags = new Set<string>();
    for (const { definition, data } of checked) {
      for (const tag of definition.tags(await withGraphCustomerIds(data, identities))) tags.add(tag);
    }
    if (tags.size && !(await cache.invalidateTags([...tags]))) {
      // The vendor retries a non-2xx delivery: better twice than a replica left stale.
      return routeError(503, 'BACKEND_UNAVAILABLE', 'The change could not reach every replica yet; deliver it again');
    }
    if (tags.size) lag.observe((Date.now() - received) / 1000);
    logger.debug({ webhook: webhook.path, event: delivery.id, tags: [...tags] }, 'vendor event applied');
    return { status: 200, body: { received: delivery.id, invalidated: [...tags] } };
  };
}
