import { Agent, request } from 'undici';

/** The part of a fetch Response the gateway's subgraph data source reads. */
export interface SubgraphResponse {
  ok: boolean;
  status: number;
  statusText: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type SubgraphFetcher = (url: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<SubgraphResponse>;

/** A response from a body already read (a cached one, or one read to look at its cache policy). */
export function bufferedResponse(url: string, status: number, body: string, contentType = 'application/json'): SubgraphResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    url,
    headers: { get: (name) => (name.toLowerCase() === 'content-type' ? contentType : null) },
    text: async () => body,
    json: async () => JSON.parse(body),
  };
}

/**
 * The gateway's subgraph fetcher: undici's request API over keep-alive connection pools. Node's
 * fetch (also undici underneath) spends much of the gateway's CPU on WHATWG streams and response
 * objects the gateway never needs; this reads the body once, as text.
 */
export function createSubgraphFetcher(options: { connectionsPerSubgraph?: number; timeoutMs?: number } = {}): SubgraphFetcher {
  const dispatcher = new Agent({
    connections: options.connectionsPerSubgraph ?? 64,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs ?? 10_000,
    bodyTimeout: options.timeoutMs ?? 10_000,
  });
  return async (url, init) => {
    const response = await request(url, {
      method: (init.method ?? 'POST') as 'POST',
      headers: init.headers,
      body: init.body,
      dispatcher,
    });
    const contentType = response.headers['content-type'];
    return bufferedResponse(url, response.statusCode, await response.body.text(), Array.isArray(contentType) ? contentType[0] : contentType);
  };
}
