import { describeOrderSystem } from '../../../../test/kits/order-source';
import { startCommercetools, testVendorCalls } from '../../../../test/helpers/commercetools';
import { createLogger } from '../../../shared/logger';
import { commercetoolsOrderAdapter } from '.';

describeOrderSystem('commercetools on its emulator', async (data) => {
  const ct = await startCommercetools(data);
  const config = commercetoolsOrderAdapter.config.parse({ projectKey: ct.projectKey, clientId: ct.clientId, clientSecret: ct.clientSecret, apiUrl: ct.url, authUrl: ct.url });
  const source = await commercetoolsOrderAdapter.create(config, { db: undefined as never, logger: createLogger('test', 'silent'), vendorCalls: testVendorCalls() });
  return { source, held: ct.held, close: ct.close };
});
