import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../subgraphs/shared/config';
import { createDatabase } from '../subgraphs/shared/db';
import { seedDemo } from '../test/fixtures/seed';

/**
 * `npm run seed -- --customers 100000`: replaces the four systems' data with deterministic demo
 * data, in DATABASE_URL (or PGLITE_DATA_DIR). Demo and benchmark databases only: it deletes first.
 */
async function main() {
  const { values } = parseArgs({
    options: { customers: { type: 'string', default: '200' }, 'chunk-size': { type: 'string', default: '2000' } },
  });
  const customers = Number(values.customers);
  const chunkSize = Number(values['chunk-size']);
  if (!Number.isInteger(customers) || customers < 1 || !Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new Error('--customers and --chunk-size take whole numbers above 0');
  }
  const config = loadConfigOrExit();
  if (!config.databaseUrl && !config.pgliteDataDir) {
    throw new Error('set DATABASE_URL (or PGLITE_DATA_DIR): an in-memory embedded database would be gone when this command ends');
  }
  const database = await createDatabase({ url: config.databaseUrl, pgliteDataDir: config.pgliteDataDir });
  const started = performance.now();
  let lastReport = started;
  try {
    await seedDemo(database.db, {
      customers,
      chunkSize,
      onProgress: (done) => {
        if (performance.now() - lastReport > 5_000 || done === customers) {
          lastReport = performance.now();
          process.stdout.write(`  ${done} / ${customers} customers (${((lastReport - started) / 1000).toFixed(1)} s)\n`);
        }
      },
    });
  } finally {
    await database.close();
  }
  process.stdout.write(`seeded ${customers} customers in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err) => {
  process.stderr.write(`seed failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
