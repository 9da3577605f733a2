import { createHash } from 'node:crypto';
import { InMemoryLRUCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { loadOperations } from '../schema/operations';

/** An operation's persisted id: the SHA-256 of its file in schema/operations, as APQ clients compute it. */
export const operationId = (source: string) => createHash('sha256').update(source).digest('hex');

/**
 * The APQ cache, with every named operation of schema/operations registered up front: a client
 * sends `extensions.persistedQuery.sha256Hash` (64 bytes) instead of the query text (kilobytes),
 * without a first round trip to register it. Other operations register as APQ does, in an LRU.
 */
export function persistedOperationsCache(): KeyValueCache<string> {
  // Apollo Server prefixes APQ keys with "apq:".
  const known = new Map(Object.values(loadOperations()).map((source) => [`apq:${operationId(source)}`, source]));
  const registered = new InMemoryLRUCache<string>({ maxSize: 10 * 1024 * 1024 });
  return {
    get: async (key) => known.get(key) ?? registered.get(key),
    set: async (key, value, options) => {
      if (!known.has(key)) await registered.set(key, value, options);
    },
    delete: async (key) => {
      if (!known.has(key)) await registered.delete(key);
    },
  };
}

/**
 * The allow-list: whether a request runs one of the named operations of schema/operations, sent
 * by id (`extensions.persistedQuery`) or as its exact text. Anything else is refused for the
 * roles PERSISTED_ONLY_ROLES names, so a leaked agent token cannot run arbitrary queries.
 */
export function createAllowList() {
  const ids = new Set(Object.values(loadOperations()).map(operationId));
  return (body: unknown, search: URLSearchParams): boolean => {
    const request = (body && typeof body === 'object' ? body : {}) as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
    let extensions = request.extensions;
    const query = request.query ?? search.get('query') ?? undefined;
    if (!body && search.has('extensions')) {
      try {
        extensions = JSON.parse(search.get('extensions')!);
      } catch {
        return false;
      }
    }
    const hash = extensions?.persistedQuery?.sha256Hash;
    if (typeof query === 'string') return ids.has(operationId(query)) && (hash === undefined || hash === operationId(query));
    return typeof hash === 'string' && ids.has(hash);
  };
}
