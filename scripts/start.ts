import { loadConfigOrExit } from '../subgraphs/shared/config';
import { createLogger } from '../subgraphs/shared/logger';
import { closeOnSignal } from '../subgraphs/shared/process';
import { startStack } from './stack';

/** `npm start`: the whole graph in one process; with no configuration, on the embedded demo database. */
async function main() {
  const started = performance.now();
  const config = loadConfigOrExit();
  const logger = createLogger('customer-context', config.logLevel);
  const stack = await startStack({ config, logger });
  logger.info(
    { url: stack.url, subgraphs: stack.subgraphUrls, readyInSeconds: Number(((performance.now() - started) / 1000).toFixed(1)) },
    `customer-context graph ready at ${stack.url}`,
  );
  closeOnSignal(logger, () => stack.close());
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
