import { signViewer } from './auth';
import type { Config, SubgraphName } from './config';
import { AppError, ErrorCode } from './errors';
import type { Logger } from './logger';

/**
 * Calls another subgraph's internal (`@inaccessible`) fields directly, as the graph itself: the
 * request carries a service viewer signed with the gateway secret, as the gateway's would.
 * Any failure is BACKEND_UNAVAILABLE naming the subgraph; its message is only logged.
 */
export function createGraphClient(config: Readonly<Config>, logger: Logger, caller: SubgraphName, timeoutMs = 5_000) {
  const viewer = signViewer({ kind: 'service', id: caller }, config.gatewaySecret);
  return async function call<T = Record<string, unknown>>(subgraph: SubgraphName, query: string, variables: Record<string, unknown>): Promise<T> {
    let failure: string;
    try {
      const response = await fetch(config.subgraphs[subgraph].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-ccg-viewer': viewer },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
      if (response.ok && !body.errors?.length && body.data) return body.data;
      failure = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    logger.warn({ subgraph, failure }, 'call to another subgraph failed');
    throw new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${subgraph} service could not complete this`, { service: subgraph });
  };
}
