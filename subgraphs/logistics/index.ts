import '../shared/telemetry-register';
import { seedDemoIfEmpty } from '../../test/fixtures/seed';
import { runSubgraphProcess } from '../shared/process';
import { logisticsSubgraph } from './server';

// Deployed as its own process: `node --import tsx subgraphs/logistics/index.ts`.
void runSubgraphProcess(logisticsSubgraph, {
  seedDemo: (db, config) => seedDemoIfEmpty(db, { customers: config.seedCustomers, systems: ['logistics'] }),
});
