import { composeServices } from '@apollo/composition';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { typeDefs as customers } from '../subgraphs/customers/server';
import { typeDefs as logistics } from '../subgraphs/logistics/server';
import { typeDefs as orders } from '../subgraphs/orders/server';
import { typeDefs as payments } from '../subgraphs/payments/server';
import { loadConfig } from '../subgraphs/shared/config';

export const SUPERGRAPH_PATH = join(__dirname, 'supergraph.graphql');

/**
 * Composes the four subgraph SDLs (Federation 2) into the supergraph the gateway serves.
 * The routing URLs written here are the defaults; the gateway takes ORDERS_URL etc. at run time.
 */
export function composeSupergraph(): string {
  const defaults = loadConfig({}).subgraphs;
  const result = composeServices([
    { name: 'orders', typeDefs: orders, url: defaults.orders.url },
    { name: 'customers', typeDefs: customers, url: defaults.customers.url },
    { name: 'payments', typeDefs: payments, url: defaults.payments.url },
    { name: 'logistics', typeDefs: logistics, url: defaults.logistics.url },
  ]);
  if (result.errors) {
    throw new Error(`supergraph composition failed:\n${result.errors.map((e) => `  ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

if (require.main === module) {
  writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
  process.stdout.write(`wrote ${SUPERGRAPH_PATH}\n`);
}
