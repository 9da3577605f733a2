import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { signViewer, VIEWER_HEADER } from './auth';
import type { Config, SubgraphName } from './config';
import { AppError, ErrorCode } from './errors';
import type { Logger } from './logger';

/**
 * Calls another subgraph's internal (`@inaccessible`) fields directly, as the calling subgraph's
 * service identity (holding only the operations SERVICE_GRANTS gives it): each call carries its
 * own header, signed for the subgraph it goes to and good for seconds.
 * Any failure is BACKEND_UNAVAILABLE naming the subgraph; its message is only logged.
 */
export function createGraphClient(config: Pick<Config, 'subgraphs' | 'gatewaySecret' | 'viewerTtlMs'>, logger: Logger, caller: SubgraphName, timeoutMs = 5_000) {
  // Keep-alive connections and a deadline per call: internal calls (the saga, erasure) must not hang.
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  return async function call<T = Record<string, unknown>>(subgraph: SubgraphName, query: string, variables: Record<string, unknown>): Promise<T> {
    let failure: string;
    try {
      const response = await request(config.subgraphs[subgraph].url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [VIEWER_HEADER]: signViewer({ kind: 'service', id: caller }, config.gatewaySecret, { audience: subgraph, requestId: randomUUID(), ttlMs: config.viewerTtlMs }),
        },
        body: JSON.stringify({ query, variables }),
        dispatcher,
      });
      const body = (await response.body.json()) as { data?: T; errors?: { message: string }[] };
      if (response.statusCode === 200 && !body.errors?.length && body.data) return body.data;
      failure = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.statusCode}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    logger.warn({ subgraph, failure }, 'call to another subgraph failed');
    throw new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${subgraph} service could not complete this`, { service: subgraph });
  };
}
