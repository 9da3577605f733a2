import { createCache } from '../subgraphs/shared/cache';
import { closeOnSignal } from '../subgraphs/shared/process';
import { loadConfigOrExit, SUBGRAPHS } from '../subgraphs/shared/config';
import { listen } from '../subgraphs/shared/http';
import { createLogger } from '../subgraphs/shared/logger';
import { createGatewayListener, createGatewayServer, loadSupergraph } from './server';

/** The gateway deployed as its own process: `node --import tsx gateway/index.ts`. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('gateway', config.logLevel);
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [name, config.subgraphs[name].url])) as Record<(typeof SUBGRAPHS)[number], string>;
  // Subgraph responses are cached only where invalidations can reach this process: over Redis.
  const invalidations =
    config.cacheEnabled && config.redisUrl
      ? await createCache({ redisUrl: config.redisUrl, namespace: config.cacheNamespace, maxEntries: 100, logger })
      : undefined;
  if (!invalidations) logger.info('no REDIS_URL (or caching off): subgraph responses are not cached at the gateway');
  const { apollo } = createGatewayServer({
    supergraphSdl: loadSupergraph(config.supergraphPath),
    subgraphUrls,
    logger,
    production: config.nodeEnv === 'production',
    gatewaySecret: config.gatewaySecret,
    resilience: config.resilience,
    invalidations,
  });
  await apollo.start();
  const server = await listen(createGatewayListener(apollo, subgraphUrls, config), config.gatewayPort, config.host, {
    readTimeoutMs: config.resilience.requestReadTimeoutMs,
    maxConnectionsPerAddress: config.resilience.maxConnectionsPerAddress,
  });
  logger.info({ url: server.url }, 'gateway ready');
  closeOnSignal(logger, async () => {
    await server.close();
    await apollo.stop();
    await invalidations?.close();
  });
}

void main();
