import type { Config } from '../../shared/config';
import { createGraphClient } from '../../shared/graph-client';
import type { Logger } from '../../shared/logger';
import type { ReturnFulfilment } from '../port';

/**
 * ReturnFulfilment through the logistics and payments subgraphs' internal mutations (hidden from
 * the public API with @inaccessible). Each is idempotent per return on its side.
 */
export function createGraphFulfilment(config: Readonly<Config>, logger: Logger, timeoutMs = 5_000): ReturnFulfilment {
  const call = createGraphClient(config, logger, 'orders', timeoutMs);
  return {
    issueReturnLabel: async (input) =>
      void (await call('logistics', /* GraphQL */ `mutation ($input: IssueReturnLabelInput!) { issueReturnLabel(input: $input) { id } }`, { input })),
    voidReturnLabel: async (returnId) =>
      void (await call('logistics', /* GraphQL */ `mutation ($returnId: ID!) { voidReturnLabel(returnId: $returnId) }`, { returnId })),
    registerExpectedRefund: async ({ amount, ...input }) =>
      void (await call('payments', /* GraphQL */ `mutation ($input: RegisterExpectedRefundInput!) { registerExpectedRefund(input: $input) { id } }`, {
        input: { ...input, amountMinor: amount.amountMinor, currency: amount.currency },
      })),
    cancelExpectedRefund: async (returnId) =>
      void (await call('payments', /* GraphQL */ `mutation ($returnId: ID!) { cancelExpectedRefund(returnId: $returnId) }`, { returnId })),
  };
}
