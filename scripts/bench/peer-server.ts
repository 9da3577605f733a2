import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import InMemoryLRUCache from '@graphql-mesh/cache-inmemory-lru';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { signViewer, UNRESTRICTED_SERVICE, VIEWER_HEADER } from '../../subgraphs/shared/auth';
import { SUBGRAPHS } from '../../subgraphs/shared/config';
import { loadSupergraph } from '../../gateway/server';

/**
 * One peer of the graph's gateway, as its own process, for the benchmark's side-by-side rows
 * (`tsx scripts/bench/peer-server.ts`): PEER is `apollo` (stock @apollo/gateway + ApolloServer),
 * `hive-js` (Hive Gateway, its JavaScript planner), `hive-rust` (Hive Gateway with the Rust planner
 * of @graphql-hive/router-runtime), `hive-cache` (hive-js + its response cache, per caller, TTL
 * PEER_CACHE_TTL_MS) or `plain` (node:http answering the bytes in PEER_ANSWERS: a JSON map from a
 * caller's x-verified-session to the graph's answer). Subgraphs at ORDERS_URL, CUSTOMERS_URL, …;
 * listens on PEER_PORT and says "peer ready".
 */
const env = process.env;
const port = Number(env.PEER_PORT);
const peer = env.PEER ?? '';
const CALLER_HEADER = 'x-verified-session';

/**
 * Each subgraph accepts the gateway's signed caller only: the peers send what a gateway with
 * AUTH_DISABLED sends (the unrestricted service, never accepted in production), signed once for the
 * run's length, so no peer pays a signature per request the graph pays.
 */
const viewerHeaders = Object.fromEntries(
  SUBGRAPHS.map((name) => [name, signViewer({ kind: 'service', id: UNRESTRICTED_SERVICE }, env.GATEWAY_SECRET!, { audience: name, requestId: `peer-${peer}`, ttlMs: 6 * 3_600_000 })]),
);
const urls = Object.fromEntries(SUBGRAPHS.map((name) => [name, env[`${name.toUpperCase()}_URL`]!]));
/** The committed supergraph, pointed at this run's subgraphs. */
const supergraph = loadSupergraph().replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (_, name: string) => `@join__graph(name: "${name}", url: "${urls[name]}")`);

async function apollo(): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest: ({ request }) => void request.http?.headers.set(VIEWER_HEADER, viewerHeaders[name!]),
      }),
  });
  const server = new ApolloServer({ gateway });
  await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
}

async function hive(options: { rust?: boolean; cacheTtlMs?: number }): Promise<void> {
  const runtime = createGatewayRuntime({
    supergraph,
    logging: 'error',
    transportEntries: Object.fromEntries(SUBGRAPHS.map((name) => [name, { headers: [[VIEWER_HEADER, viewerHeaders[name]]] as [string, string][] }])),
    ...(options.rust ? { unifiedGraphHandler } : {}),
    // Per caller, as the graph's whole-answer cache keys by the caller.
    ...(options.cacheTtlMs
      ? { cache: new InMemoryLRUCache({ max: 100_000 }), responseCaching: { ttl: options.cacheTtlMs, session: (request: Request) => request.headers.get(CALLER_HEADER) } }
      : {}),
  });
  const server = createServer(runtime as unknown as (req: IncomingMessage, res: ServerResponse) => void);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

/** The limit: the same bytes, from memory, after reading the request as any server must. */
async function plain(): Promise<void> {
  const answers = new Map<string, Buffer>(Object.entries(JSON.parse(readFileSync(env.PEER_ANSWERS!, 'utf8')) as Record<string, string>).map(([caller, text]) => [caller, Buffer.from(text)]));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = answers.get(String(req.headers[CALLER_HEADER]));
      if (!answer) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': answer.length }).end(answer);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
}

async function main() {
  const start: Record<string, () => Promise<void>> = {
    apollo,
    'hive-js': () => hive({}),
    'hive-rust': () => hive({ rust: true }),
    'hive-cache': () => hive({ cacheTtlMs: Number(env.PEER_CACHE_TTL_MS ?? 30_000) }),
    plain,
  };
  if (!start[peer]) throw new Error(`PEER: one of ${Object.keys(start).join(', ')}`);
  await start[peer]();
  process.stdout.write(`peer ready: ${peer} on ${port}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`peer failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
