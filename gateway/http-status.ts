import type { ApolloServerPlugin } from '@apollo/server';
import { httpStatusOf } from '../subgraphs/shared/errors';

/**
 * One code, one HTTP status: an answer without data takes its first coded error's status from
 * HTTP_STATUS, whether the refusal came from a resolver, a subgraph or the gateway itself (whose
 * refusals before execution use the same table). A partial answer stays 200.
 */
export const httpStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        // A status HTTP itself dictates (405 for a mutation over GET) stays.
        if (data || !errors?.length || (response.http.status && response.http.status !== 200)) return;
        const status = httpStatusOf(errors);
        if (status) response.http.status = status;
      },
    };
  },
};
