import '../shared/telemetry-register';
import { seedDemoIfEmpty } from '../../test/fixtures/seed';
import { runSubgraphProcess } from '../shared/process';
import { ordersSubgraph } from './server';

// Deployed as its own process: `node --import tsx subgraphs/orders/index.ts`.
void runSubgraphProcess(ordersSubgraph, {
  seedDemo: (db, config) => seedDemoIfEmpty(db, { customers: config.seedCustomers, systems: ['orders'] }),
});
