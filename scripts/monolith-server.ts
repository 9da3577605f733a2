import type { IncomingMessage } from 'node:http';
import { createSessionVerifier, SESSION_HEADER, UNRESTRICTED_SERVICE } from '../subgraphs/shared/auth';
import { customersSubgraph } from '../subgraphs/customers/server';
import { logisticsSubgraph } from '../subgraphs/logistics/server';
import { ordersSubgraph } from '../subgraphs/orders/server';
import { paymentsSubgraph } from '../subgraphs/payments/server';
import { openCache, type Cache } from '../subgraphs/shared/cache';
import { loadConfigOrExit, type Config } from '../subgraphs/shared/config';
import { openDatabase } from '../subgraphs/shared/db';
import { createRequestListener, listen } from '../subgraphs/shared/http';
import { createLogger, type Logger } from '../subgraphs/shared/logger';
import { closeOnSignal } from '../subgraphs/shared/process';
import { createSubgraphServer, createSubgraphSource, type SubgraphDefinition } from '../subgraphs/shared/subgraph';
import type { Kysely } from 'kysely';
import { createMonolithServer, type MonolithPart } from './monolith';

/** The four subgraphs' resolvers and adapters (cached as configured), as parts of one server. */
export async function monolithParts(config: Readonly<Config>, db: Kysely<any>, cache: Cache, logger: Logger): Promise<MonolithPart[]> {
  const definitions: SubgraphDefinition<any, any, any>[] = [ordersSubgraph, customersSubgraph, paymentsSubgraph, logisticsSubgraph];
  return Promise.all(
    definitions.map(async (definition) => {
      const { source } = await createSubgraphSource(definition, { config, db, cache, logger });
      const server = createSubgraphServer(definition, { source, logger, config });
      return { name: definition.name, typeDefs: definition.typeDefs, resolvers: server.resolvers as MonolithPart['resolvers'], createContext: server.createContext };
    }),
  );
}

/** The benchmark's floor as its own process, on GATEWAY_PORT: `tsx scripts/monolith-server.ts`. */
async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger('monolith', config.logLevel);
  const database = await openDatabase(config, logger);
  const cache = await openCache(config, logger);
  const { apollo, createContext } = createMonolithServer(await monolithParts(config, database.db, cache, logger));
  await apollo.start();
  // The floor checks no caller: it runs as the graph itself, for the customer a session names.
  const sessionOf = createSessionVerifier(config.gatewaySecret);
  const context = async (req: IncomingMessage) => {
    const token = req.headers[SESSION_HEADER] as string | undefined;
    const session = token ? await sessionOf(token) : undefined;
    return createContext({ kind: 'service', id: UNRESTRICTED_SERVICE, customerId: session?.customerId });
  };
  const server = await listen(createRequestListener({ apollo, context }), config.gatewayPort, config.host);
  logger.info({ url: server.url }, 'monolith ready');
  closeOnSignal(logger, async () => {
    await server.close();
    await apollo.stop();
    await cache.close();
    await database.close();
  });
}

if (require.main === module) void main();
