import { DEMO_AUTH_JWT_SECRET, loadConfigOrExit } from '../subgraphs/shared/config';
import { openDatabase } from '../subgraphs/shared/db';
import { createLogger } from '../subgraphs/shared/logger';
import { closeOnSignal } from '../subgraphs/shared/process';
import { generateDemoData } from '../test/fixtures/demo-data';
import { startCommercetools } from '../test/helpers/commercetools';
import { startEasypost } from '../test/standins/easypost';
import { hubspotAdapterEnv, startHubspot } from '../test/standins/hubspot';
import { startStripe } from '../test/standins/stripe';
import { easypostAdapterEnv, registerEasyPostShipments, vendorAdapterEnv } from '../test/helpers/vendors';
import { startStack } from './stack';

/**
 * `npm run start:vendors`: the graph on all four vendor adapters, offline. Customers live in the
 * HubSpot stand-in, orders in the commercetools emulator, payments in the Stripe stand-in and
 * parcels in the EasyPost stand-in, all started here and loaded through their SDKs with the demo
 * data (each vendor's own ids), the parcels registered with logistics as the OMS's fulfilment data
 * would. No demo table: the embedded database holds only the graph's own records. Point the same
 * variables at real accounts to run on them instead.
 */
async function main() {
  const started = performance.now();
  const base = loadConfigOrExit();
  const logger = createLogger('customer-context', base.logLevel);
  const anchor = new Date(new Date().toISOString().slice(0, 10));
  const data = generateDemoData({ customers: Math.min(base.seedCustomers, 200), anchor });
  const commercetools = await startCommercetools(data);
  const elsewhere = { ...commercetools.held, customers: data.customers };
  const [stripe, easypost, hubspot] = await Promise.all([startStripe(elsewhere), startEasypost(elsewhere), startHubspot(data)]);
  const config = loadConfigOrExit({
    ...process.env,
    SEED_ON_START: 'false',
    ...vendorAdapterEnv(commercetools, stripe),
    ...easypostAdapterEnv(easypost),
    ...hubspotAdapterEnv(hubspot),
  });
  const database = await openDatabase(config, logger);
  const stack = await startStack({ config, logger, database });
  await registerEasyPostShipments(stack.subgraphUrls.logistics, config.gatewaySecret, elsewhere, easypost);
  logger.info(
    {
      url: stack.url,
      commercetools: commercetools.url,
      stripe: `http://${stripe.host}:${stripe.port}`,
      easypost: easypost.baseUrl,
      hubspot: hubspot.basePath,
      customers: data.customers.length,
      readyInSeconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    },
    `customer-context graph ready at ${stack.url}, on the commercetools emulator and the HubSpot, Stripe and EasyPost stand-ins`,
  );
  if (config.auth.jwtSecret === DEMO_AUTH_JWT_SECRET) {
    logger.warn('callers are checked against the public demo secret (embedded demo only); mint a token with: npm run -s token -- customer cus_000004');
  }
  closeOnSignal(logger, async () => {
    await stack.close();
    await database.close();
    await Promise.all([commercetools.close(), stripe.close(), easypost.close(), hubspot.close()]);
  });
}

main().catch((err) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
