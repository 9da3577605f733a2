import type { z } from 'zod';
import type { AdapterDefinition } from '../../subgraphs/shared/adapter';
import type { SubgraphName } from '../../subgraphs/shared/config';
import { createDatabase } from '../../subgraphs/shared/db';
import { createLogger } from '../../subgraphs/shared/logger';
import type { AdapterDeps } from '../../subgraphs/shared/subgraph';
import { createVendorCallFactory } from '../../subgraphs/shared/vendor';
import type { DemoData } from '../fixtures/demo-data';
import { writeDemoData } from '../fixtures/seed';
import type { SourceUnderTest } from '../kits/order-source';
import { createTestDatabase } from './db';

/**
 * A conformance-kit factory for a system's SQL adapter: a fresh database (a new one on the real
 * PostgreSQL server, or an in-memory PGlite), the adapter created on it (migrating it), the
 * fixtures written.
 */
export function sqlSourceFactory<Source>(
  adapter: AdapterDefinition<Source, AdapterDeps, z.ZodType>,
  system: SubgraphName,
  where: 'postgres' | 'pglite',
): (data: DemoData) => Promise<SourceUnderTest<Source>> {
  return async (data) => {
    const { database, drop } =
      where === 'postgres'
        ? await createTestDatabase()
        : await createDatabase().then((database) => ({ database, drop: () => database.close() }));
    const logger = createLogger('test', 'silent');
    // In process (no Redis): the SQL systems make no vendor calls.
    const vendorCalls = createVendorCallFactory({ service: system, namespace: 'test', backendTimeoutMs: 5_000, logger });
    const source = await adapter.create(adapter.config.parse({}), { db: database.db, logger, vendorCalls });
    // The system alone: the graph's own records are tested on their own.
    await writeDemoData(database.db, data, [system], { records: false });
    return { source, close: drop };
  };
}
