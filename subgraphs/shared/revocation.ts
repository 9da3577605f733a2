import { LRUCache } from 'lru-cache';
import type { Cache } from './cache';

const PREFIX = 'sessions-revoked:';

/**
 * The tag an erasure announces (through the CRM's outbox, so at least once, and the cache's
 * broadcast, so to every replica): every verified session of the customer ends at once.
 */
export const sessionsRevokedTag = (customerId: string) => `${PREFIX}${customerId}`;

/**
 * The customers whose sessions were revoked, as this process heard it, kept as long as a session
 * can live (`keepMs`): a session issued before the revocation has expired by then. An erased
 * customer cannot be verified again, so the whole customer is revoked, not single sessions.
 */
export function createRevocations(invalidations: Pick<Cache, 'onInvalidate'>, keepMs: number) {
  const revoked = new LRUCache<string, true>({ max: 100_000, ttl: keepMs });
  invalidations.onInvalidate((tags) => {
    for (const tag of tags) if (tag.startsWith(PREFIX)) revoked.set(tag.slice(PREFIX.length), true);
  });
  return { isRevoked: (customerId: string) => revoked.has(customerId) };
}
export type Revocations = ReturnType<typeof createRevocations>;
