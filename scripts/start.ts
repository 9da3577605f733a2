import '../subgraphs/shared/telemetry-register';
import { DEMO_AUTH_JWT_SECRET, loadConfigOrExit } from '../subgraphs/shared/config';
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
  if (config.deskEnabled) logger.info({ desk: new URL('/desk/', stack.url).href }, `agent desk at ${new URL('/desk/', stack.url).href}`);
  if (config.auth.jwtSecret === DEMO_AUTH_JWT_SECRET) {
    logger.warn(
      { AUTH_JWT_SECRET: DEMO_AUTH_JWT_SECRET },
      'callers are checked against the public demo secret (embedded demo only); mint a token with: npm run -s token -- customer cus_000004',
    );
  }
  closeOnSignal(logger, () => stack.close());
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
