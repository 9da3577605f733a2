import '../shared/telemetry-register';
import { seedDemoIfEmpty } from '../../test/fixtures/seed';
import { runSubgraphProcess } from '../shared/process';
import { customersSubgraph } from './server';

// Deployed as its own process: `node --import tsx subgraphs/customers/index.ts`.
void runSubgraphProcess(customersSubgraph, {
  seedDemo: (db, config) => seedDemoIfEmpty(db, { customers: config.seedCustomers, systems: ['customers'] }),
});
