import { z } from 'zod';
import { sessionsRevokedTag } from '../shared/revocation';
import type { Cache } from '../shared/cache';
import { entityId, event } from '../shared/events';
import { createBatchCache, passThrough, perArgument, type TtlPolicy } from '../shared/cached';
import type { Customer, CustomerSource, Handoff, Interaction, VerifiedSession } from './port';

const interactionTags = (i: Interaction) => [`customer:${i.customerId}`, ...(i.orderId ? [`order:${i.orderId}`] : [])];
const handoffTags = (h: Handoff) => [`handoff:${h.id}`, `customer:${h.customerId}`];

/**
 * The CRM behind the entity cache. Identification lookups and verification attempts are never
 * cached: they are security decisions and must see the system of record. A verified session is
 * cached no longer than it lasts.
 */
export function withCustomerCache(source: CustomerSource, cache: Cache, ttl: TtlPolicy): CustomerSource {
  const cached = createBatchCache(cache, 'customers', ttl);
  const interactionsByCustomer = perArgument((first: number) =>
    cached<string, Interaction[]>({ type: 'CustomerInteractions', key: (id) => `${first}:${id}`, tags: (_, id) => [`customer:${id}`], load: (ids) => source.listInteractionsByCustomer(ids, first) }),
  );
  const handoffsByCustomer = perArgument((first: number) =>
    cached<string, Handoff[]>({ type: 'CustomerHandoffs', key: (id) => `${first}:${id}`, tags: (hs, id) => [`customer:${id}`, ...hs.flatMap(handoffTags)], load: (ids) => source.listHandoffsByCustomer(ids, first) }),
  );
  return {
    ...passThrough(source),
    getCustomers: cached<string, Customer | null>({ type: 'Customer', key: (id) => id, tags: (_, id) => [`customer:${id}`], load: source.getCustomers }),
    getInteractions: cached<string, Interaction | null>({
      type: 'Interaction', key: (id) => id, tags: (i, id) => (i ? interactionTags(i) : [`interaction:${id}`]), load: source.getInteractions,
    }),
    listInteractionsByCustomer: (ids, first) => interactionsByCustomer(first)(ids),
    listInteractionsByOrder: cached<string, Interaction[]>({ type: 'OrderInteractions', key: (id) => id, tags: (_, id) => [`order:${id}`], load: source.listInteractionsByOrder }),
    getHandoffs: cached<string, Handoff | null>({ type: 'Handoff', key: (id) => id, tags: (h, id) => (h ? handoffTags(h) : [`handoff:${id}`]), load: source.getHandoffs }),
    listHandoffsByCustomer: (ids, first) => handoffsByCustomer(first)(ids),
    listOpenHandoffsByCustomer: cached<string, Handoff[]>({
      type: 'CustomerOpenHandoffs', key: (id) => id, tags: (hs, id) => [`customer:${id}`, ...hs.flatMap(handoffTags)], load: source.listOpenHandoffsByCustomer,
    }),
    getVerifiedSessions: cached<string, VerifiedSession | null>({
      type: 'Session',
      key: (id) => id,
      tags: (session, id) => [`session:${id}`, ...(session ? [`customer:${session.customerId}`] : [])],
      ttlOf: (session) => (session ? Math.floor((session.expiresAt.getTime() - Date.now()) / 1000) : 5),
      load: source.getVerifiedSessions,
    }),
    eraseCustomer: async (customerId, at) => {
      const erased = await source.eraseCustomer(customerId, at);
      await cache.invalidateTags([`customer:${customerId}`, sessionsRevokedTag(customerId)]);
      return erased;
    },
    recordInteraction: async (interaction, key) => {
      const recorded = await source.recordInteraction(interaction, key);
      await cache.invalidateTags(interactionTags(recorded.interaction));
      return recorded;
    },
    escalate: async (handoff, escalation, key) => {
      const opened = await source.escalate(handoff, escalation, key);
      await cache.invalidateTags([...handoffTags(opened.handoff), ...interactionTags(escalation)]);
      return opened;
    },
    acceptHandoff: async (id, acceptance) => {
      const handoff = await source.acceptHandoff(id, acceptance);
      if (handoff) await cache.invalidateTags(handoffTags(handoff));
      return handoff;
    },
    resolveHandoff: async (id, resolution, closing, key) => {
      const handoff = await source.resolveHandoff(id, resolution, closing, key);
      await cache.invalidateTags([...handoffTags(handoff), ...interactionTags(closing)]);
      return handoff;
    },
  };
}

/** Backend change events the CRM announces, and what each makes stale. */
export const customerEvents = {
  'customer.updated': event(z.object({ customerId: entityId }), (e) => [`customer:${e.customerId}`]),
  // Erased: every verified session of the customer ends (revocation.ts).
  'customer.erased': event(z.object({ customerId: entityId }), (e) => [`customer:${e.customerId}`, sessionsRevokedTag(e.customerId)]),
  'interaction.recorded': event(z.object({ customerId: entityId, orderId: entityId.optional() }), (e) => [
    `customer:${e.customerId}`, ...(e.orderId ? [`order:${e.orderId}`] : []),
  ]),
  'handoff.updated': event(z.object({ handoffId: entityId, customerId: entityId }), (e) => [`handoff:${e.handoffId}`, `customer:${e.customerId}`]),
};
