import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import type { Role } from '../subgraphs/shared/config';
import { ErrorCode, HTTP_STATUS } from '../subgraphs/shared/errors';
import type { GatewayContext } from './server';

/**
 * At most `limits[role]` requests of one caller (its stable identity, not its header) in flight at
 * once: MAX_IN_FLIGHT protects the gateway from everyone, this protects everyone from one token
 * holding every place with slow requests. Past it, 429 RATE_LIMITED at once, before any work.
 * The response cache's background refreshes are the graph's own and hold no place.
 */
export function callerSlotsPlugin(limits: Readonly<Record<Role, number>>): ApolloServerPlugin<GatewayContext> {
  const held = new Map<string, number>();
  return {
    async requestDidStart({ contextValue }) {
      const limit = contextValue.viewer.kind === 'service' || contextValue.refreshAhead ? undefined : limits[contextValue.viewer.kind];
      if (!limit) return;
      const key = contextValue.callerKey;
      const holding = (held.get(key) ?? 0) + 1;
      held.set(key, holding);
      return {
        async didResolveOperation() {
          if (holding <= limit) return;
          throw new GraphQLError(`This caller has ${limit} requests in progress already; retry once one is answered`, {
            extensions: { code: ErrorCode.RATE_LIMITED, http: { status: HTTP_STATUS.RATE_LIMITED, headers: new HeaderMap([['retry-after', '1']]) } },
          });
        },
        async willSendResponse() {
          const left = (held.get(key) ?? 1) - 1;
          if (left > 0) held.set(key, left);
          else held.delete(key);
        },
      };
    },
  };
}
