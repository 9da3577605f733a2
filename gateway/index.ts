import '../subgraphs/shared/telemetry-register';
import { createCache } from '../subgraphs/shared/cache';
import { createRevocations } from '../subgraphs/shared/revocation';
import { closeOnSignal } from '../subgraphs/shared/process';
import { loadConfigOrExit, SUBGRAPHS } from '../subgraphs/shared/config';
import { listen } from '../subgraphs/shared/http';
import { createLogger } from '../subgraphs/shared/logger';
import { createGatewayHandlers } from './handlers';
import { createGatewayListener, createGatewayServer, loadSupergraph } from './server';

/** The gateway deployed as its own process: `node --import tsx gateway/index.ts`. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('gateway', config.logLevel);
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, config.subgraphs[name].url])) as Record<(typeof SUBGRAPHS)[number], string>;
  // Invalidations and erasures reach this process over Redis; subgraph responses are cached only where invalidations can reach.
  const broadcasts = config.redisUrl ? await createCache({ redisUrl: config.redisUrl, namespace: config.cacheNamespace, maxEntries: 100, logger }) : undefined;
  const invalidations = config.cacheEnabled ? broadcasts : undefined;
  if (!invalidations) logger.info('no REDIS_URL (or caching off): subgraph responses are not cached at the gateway');
  if (!broadcasts) logger.warn('no REDIS_URL: an erasure does not end its sessions at this gateway before they expire');
  const revocations = broadcasts && createRevocations(broadcasts, config.verification.sessionTtlSeconds * 1000);
  // Callers' rates are counted on the same connection, so every replica of the gateway counts together.
  const rateStore = broadcasts?.client && { client: broadcasts.client, namespace: config.cacheNamespace, logger };
  const { apollo, warmUp, warmHits } = createGatewayServer({
    supergraphSdl: loadSupergraph(config.supergraphPath),
    subgraphUrls,
    logger,
    production: config.nodeEnv === 'production',
    gatewaySecret: config.gatewaySecret,
    resilience: config.resilience,
    inFlightLimits: config.auth.inFlightLimits,
    invalidations,
  });
  await apollo.start();
  await warmUp();
  const handlers = createGatewayHandlers({ apollo, config, logger, graphqlUrl: () => server.url });
  const server = await listen(createGatewayListener(apollo, subgraphUrls, config, { revocations, handlers, logger, warmHits, rateStore }), config.gatewayPort, config.host, {
    readTimeoutMs: config.resilience.requestReadTimeoutMs,
    maxConnectionsPerAddress: config.resilience.maxConnectionsPerAddress,
  });
  logger.info({ url: server.url }, 'gateway ready');
  closeOnSignal(logger, async () => {
    await server.close();
    await apollo.stop();
    await broadcasts?.close();
  });
}

void main();
