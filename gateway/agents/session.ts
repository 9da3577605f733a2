import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

/**
 * What a conversation holds for the model, server-side: the identify answers' handles (by caller id)
 * and the verified session's token. The model names a caller; it never sees or forwards either.
 */
export interface ConversationState {
  // Times as ISO strings: a 13-digit epoch in ms can pass for a card number in the store's scan.
  identified: Record<string, { identification: string; expiresAt: string }>;
  verified?: { token: string; customerId: string; expiresAt: string };
}

/**
 * Conversations by key (the caller's token subject and the MCP session id or the platform's call id).
 * In Redis when REDIS_URL is set, so every gateway replica sees the same conversation; else in memory.
 */
export interface ConversationStore {
  get(key: string): Promise<ConversationState>;
  set(key: string, state: ConversationState): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

const empty = (): ConversationState => ({ identified: {} });

/** Drops identifications past their end; an ended verification is kept, so the model is told to verify again. */
function live(state: ConversationState, now = Date.now()): ConversationState {
  const identified = Object.fromEntries(Object.entries(state.identified).filter(([, i]) => Date.parse(i.expiresAt) > now));
  return { identified, ...(state.verified ? { verified: state.verified } : {}) };
}

/** Kept an hour past the last thing in it that can live: long enough to say "verify again", then forgotten. */
const ttlOf = (state: ConversationState, now = Date.now()) =>
  3_600_000 + Math.max(0, ...Object.values(state.identified).map((i) => Date.parse(i.expiresAt) - now), Date.parse(state.verified?.expiresAt ?? '1970-01-01') - now);

export function createConversationStore(options: { redisUrl?: string; namespace: string }): ConversationStore {
  if (!options.redisUrl) {
    const states = new LRUCache<string, ConversationState>({ max: 50_000, ttlAutopurge: false });
    return {
      get: async (key) => live(states.get(key) ?? empty()),
      set: async (key, state) => void states.set(key, state, { ttl: ttlOf(state) }),
      delete: async (key) => void states.delete(key),
      close: async () => undefined,
    };
  }
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  // The gateway's handlers have no close hook: this connection must not keep a stopping process alive.
  redis.on('connect', () => (redis as unknown as { stream?: { unref?: () => void } }).stream?.unref?.());
  const keyOf = (key: string) => `${options.namespace}:agents:${key}`;
  return {
    get: async (key) => {
      const raw = await redis.get(keyOf(key));
      return live(raw ? (JSON.parse(raw) as ConversationState) : empty());
    },
    set: async (key, state) => void (await redis.set(keyOf(key), JSON.stringify(state), 'PX', ttlOf(state))),
    delete: async (key) => void (await redis.del(keyOf(key))),
    close: async () => void (await redis.quit().catch(() => undefined)),
  };
}
