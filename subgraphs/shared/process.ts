import type { Kysely } from 'kysely';
import { openCache } from './cache';
import { loadConfigOrExit, type Config } from './config';
import { openDatabase } from './db';
import { createLogger, type Logger } from './logger';
import { startSubgraph, type SubgraphDefinition } from './subgraph';
import { stopTelemetry } from './telemetry';

/** Runs `close` once on SIGTERM or SIGINT: stop taking requests, finish those in flight, close pools, send the last spans. */
export function closeOnSignal(logger: Logger, close: () => Promise<void>): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    close()
      .then(stopTelemetry)
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export interface ProcessHooks {
  /** Seeds demo data into this subgraph's system when it is empty (the embedded default). */
  seedDemo?: (db: Kysely<any>, config: Readonly<Config>) => Promise<unknown>;
}

/** The entry point of a subgraph deployed as its own process. */
export async function runSubgraphProcess<Source extends { ping(): Promise<void> }, Loaders, Services>(
  definition: SubgraphDefinition<Source, Loaders, Services>,
  hooks: ProcessHooks = {},
): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(definition.name, config.logLevel);
  const database = await openDatabase(config, logger);
  const cache = await openCache(config, logger);
  const server = await startSubgraph(definition, {
    config,
    db: database.db,
    cache,
    logger,
    // Without Redis a subgraph still serves, uncached (the cache fails open): degraded, not unready.
    readiness: { required: { database: () => database.ping() }, optional: { cache: () => cache.ping() } },
    beforeListen: config.seedOnStart && hooks.seedDemo ? () => hooks.seedDemo!(database.db, config) : undefined,
  });
  closeOnSignal(logger, async () => {
    await server.close();
    await cache.close();
    await database.close();
  });
}
