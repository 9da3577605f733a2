import '../shared/telemetry-register';
import { seedDemoIfEmpty } from '../../test/fixtures/seed';
import { runSubgraphProcess } from '../shared/process';
import { paymentsSubgraph } from './server';

// Deployed as its own process: `node --import tsx subgraphs/payments/index.ts`.
void runSubgraphProcess(paymentsSubgraph, {
  seedDemo: (db, config) => seedDemoIfEmpty(db, { customers: config.seedCustomers, systems: ['payments'] }),
});
