import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import type { Viewer } from '../subgraphs/shared/auth';
import type { Role } from '../subgraphs/shared/config';
import { ErrorCode, HTTP_STATUS } from '../subgraphs/shared/errors';
import type { GatewayContext } from './server';

/**
 * At most `limits[role]` requests of one caller (its stable identity, not its header) in flight at
 * once: MAX_IN_FLIGHT protects the gateway from everyone, this protects everyone from one token
 * holding every place with slow requests. Past it, 429 RATE_LIMITED at once, before any work.
 * The response cache's background refreshes are the graph's own and hold no place. `hold` is the
 * same count for requests answered before the GraphQL pipeline (warm hits): null when it is full.
 */
export function createCallerSlots(limits: Readonly<Record<Role, number>>) {
  const held = new Map<string, number>();
  const take = (key: string) => {
    const holding = (held.get(key) ?? 0) + 1;
    held.set(key, holding);
    return holding;
  };
  const release = (key: string) => {
    const left = (held.get(key) ?? 1) - 1;
    if (left > 0) held.set(key, left);
    else held.delete(key);
  };
  const limitOf = (viewer: Viewer) => (viewer.kind === 'service' ? undefined : limits[viewer.kind]);

  /** A place for this caller's request, released by the function returned; null when the caller has none left. */
  function hold(viewer: Viewer, key: string): (() => void) | null {
    const limit = limitOf(viewer);
    if (!limit) return () => undefined;
    if ((held.get(key) ?? 0) >= limit) return null;
    take(key);
    return () => release(key);
  }

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      const limit = contextValue.refreshAhead ? undefined : limitOf(contextValue.viewer);
      if (!limit) return;
      const key = contextValue.callerKey;
      const holding = take(key);
      return {
        async didResolveOperation() {
          if (holding <= limit) return;
          throw new GraphQLError(`This caller has ${limit} requests in progress already; retry once one is answered`, {
            extensions: { code: ErrorCode.RATE_LIMITED, http: { status: HTTP_STATUS.RATE_LIMITED, headers: new HeaderMap([['retry-after', '1']]) } },
          });
        },
        async willSendResponse() {
          release(key);
        },
      };
    },
  };
  return { hold, plugin };
}
