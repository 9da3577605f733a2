import { createGatewayHandlers } from '../gateway/handlers';
import { createGatewayListener, createGatewayServer, loadSupergraph } from '../gateway/server';
import { customersSubgraph } from '../subgraphs/customers/server';
import { logisticsSubgraph } from '../subgraphs/logistics/server';
import { ordersSubgraph } from '../subgraphs/orders/server';
import { paymentsSubgraph } from '../subgraphs/payments/server';
import { openCache, type Cache } from '../subgraphs/shared/cache';
import { createRevocations } from '../subgraphs/shared/revocation';
import { SUBGRAPHS, type Config, type SubgraphName } from '../subgraphs/shared/config';
import { openDatabase, type Database } from '../subgraphs/shared/db';
import { freePorts, listen, type RunningServer } from '../subgraphs/shared/http';
import type { Logger } from '../subgraphs/shared/logger';
import { startSubgraph } from '../subgraphs/shared/subgraph';
import { seedDemoIfEmpty } from '../test/fixtures/seed';

export interface Stack {
  url: string;
  /** The configuration the stack runs with (ports resolved). */
  config: Readonly<Config>;
  /** Each subgraph's server, for tests that take one down. */
  subgraphs: Record<SubgraphName, RunningServer>;
  subgraphUrls: Record<SubgraphName, string>;
  database: Database;
  cache: Cache;
  close(): Promise<void>;
}

/**
 * Port 0 (tests) becomes a concrete free port before anything starts: subgraphs call each other
 * (the return saga), so each must know the others' URLs up front.
 */
async function withConcretePorts(config: Readonly<Config>): Promise<Readonly<Config>> {
  const subgraphs = { ...config.subgraphs };
  const ports = await freePorts(SUBGRAPHS.length, config.host);
  SUBGRAPHS.forEach((name, i) => {
    const settings = subgraphs[name];
    if (settings.port === 0) subgraphs[name] = { ...settings, port: ports[i], url: settings.url.replace(/:0\//, `:${ports[i]}/`) };
  });
  return Object.freeze({ ...config, subgraphs: Object.freeze(subgraphs) });
}

export interface StackOptions {
  config: Readonly<Config>;
  logger: Logger;
  /** Every SQL statement, as sent (tests count round trips). */
  onQuery?: (sql: string) => void;
  /** Use this database instead of opening one from the config. */
  database?: Database;
}

/**
 * The gateway and the four subgraphs in one process, on one database handle: the embedded default
 * (`npm start`) and the end-to-end tests. Each still listens on its own port and the gateway
 * reaches them over HTTP, exactly as when they are deployed as five processes.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { logger } = options;
  const config = await withConcretePorts(options.config);
  const database = options.database ?? (await openDatabase(config, logger, options.onQuery));
  if (config.seedOnStart) {
    const seeded = await seedDemoIfEmpty(database.db, { customers: config.seedCustomers });
    if (seeded.length) logger.info({ customers: config.seedCustomers, systems: seeded }, 'seeded demo data');
  }
  const cache = await openCache(config, logger);
  const readiness = { required: { database: () => database.ping() }, optional: { cache: () => cache.ping() } };
  const definitions = { orders: ordersSubgraph, customers: customersSubgraph, payments: paymentsSubgraph, logistics: logisticsSubgraph };
  const subgraphs = await Promise.all(
    SUBGRAPHS.map((name) => startSubgraph(definitions[name] as never, { config, db: database.db, cache, logger, readiness })),
  );
  const running = Object.fromEntries(SUBGRAPHS.map((name, i) => [name, subgraphs[i]])) as Record<SubgraphName, RunningServer>;
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name, i) => [name, subgraphs[i].url])) as Record<SubgraphName, string>;
  const { apollo, warmUp, warmHits } = createGatewayServer({
    supergraphSdl: loadSupergraph(config.supergraphPath),
    subgraphUrls,
    logger: logger.child({ service: 'gateway' }),
    production: config.nodeEnv === 'production',
    gatewaySecret: config.gatewaySecret,
    resilience: config.resilience,
    inFlightLimits: config.auth.inFlightLimits,
    // One process, one cache: the gateway hears every invalidation the subgraphs make.
    invalidations: config.cacheEnabled ? cache : undefined,
  });
  await apollo.start();
  await warmUp();
  // Erasures reach the gateway through the same cache's invalidations, Redis or not.
  const revocations = createRevocations(cache, config.verification.sessionTtlSeconds * 1000);
  const rateStore = cache.client && { client: cache.client, namespace: config.cacheNamespace, logger: logger.child({ service: 'gateway' }) };
  const handlers = createGatewayHandlers({ apollo, config, logger: logger.child({ service: 'gateway' }), graphqlUrl: () => gateway.url });
  const gateway = await listen(createGatewayListener(apollo, subgraphUrls, config, { revocations, handlers, logger: logger.child({ service: 'gateway' }), warmHits, rateStore }), config.gatewayPort, config.host, {
    readTimeoutMs: config.resilience.requestReadTimeoutMs,
    maxConnectionsPerAddress: config.resilience.maxConnectionsPerAddress,
  });
  return {
    url: gateway.url,
    config,
    subgraphs: running,
    subgraphUrls,
    database,
    cache,
    close: async () => {
      await gateway.close();
      await apollo.stop();
      // The record, not the list: a test may have replaced a subgraph it took down.
      await Promise.all(Object.values(running).map((s) => s.close()));
      await cache.close();
      if (!options.database) await database.close();
    },
  };
}
