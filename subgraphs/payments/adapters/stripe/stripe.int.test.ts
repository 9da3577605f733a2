import { describePaymentSystem } from '../../../../test/kits/payment-source';
import { startStripe } from '../../../../test/standins/stripe';
import { inProcessVendorCalls } from '../../../../test/helpers/vendor-calls';
import { createLogger } from '../../../shared/logger';
import { createStripePaymentSystem, stripeConfig } from '.';

const configFor = (s: { host: string; port: number; secretKey: string; webhookSecret: string }) =>
  stripeConfig.parse({ secretKey: s.secretKey, apiHost: s.host, apiPort: String(s.port), apiProtocol: 'http', webhookSecret: s.webhookSecret });

describePaymentSystem('stripe against the stand-in', async (data) => {
  const stripe = await startStripe(data);
  const source = createStripePaymentSystem(configFor(stripe), { logger: createLogger('test', 'silent'), vendorCalls: inProcessVendorCalls({ service: 'payments', backendTimeoutMs: 5_000 }) });
  return { source, close: stripe.close, held: stripe.held, customerLinks: stripe.links };
});
