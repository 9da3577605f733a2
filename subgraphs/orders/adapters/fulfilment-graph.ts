import { AppError, ErrorCode } from '../../shared/errors';
import type { Config } from '../../shared/config';
import type { Logger } from '../../shared/logger';
import type { ReturnFulfilment } from '../port';

/**
 * ReturnFulfilment through the logistics and payments subgraphs' internal mutations (hidden from
 * the public API with @inaccessible). Each is idempotent per return on its side.
 */
export function createGraphFulfilment(config: Readonly<Config>, logger: Logger, timeoutMs = 5_000): ReturnFulfilment {
  async function call(subgraph: 'logistics' | 'payments', query: string, variables: Record<string, unknown>): Promise<void> {
    let failure: string;
    try {
      const response = await fetch(config.subgraphs[subgraph].url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await response.json()) as { errors?: { message: string }[] };
      if (response.ok && !body.errors?.length) return;
      failure = body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${response.status}`;
    } catch (err) {
      failure = (err as Error).message;
    }
    logger.warn({ subgraph, failure }, 'return fulfilment call failed');
    throw new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${subgraph} service could not complete the return`, { service: subgraph });
  }

  return {
    issueReturnLabel: (input) =>
      call('logistics', /* GraphQL */ `mutation ($input: IssueReturnLabelInput!) { issueReturnLabel(input: $input) { id } }`, { input }),
    voidReturnLabel: (returnId) =>
      call('logistics', /* GraphQL */ `mutation ($returnId: ID!) { voidReturnLabel(returnId: $returnId) }`, { returnId }),
    registerExpectedRefund: ({ amount, ...input }) =>
      call('payments', /* GraphQL */ `mutation ($input: RegisterExpectedRefundInput!) { registerExpectedRefund(input: $input) { id } }`, {
        input: { ...input, amountMinor: amount.amountMinor, currency: amount.currency },
      }),
    cancelExpectedRefund: (returnId) =>
      call('payments', /* GraphQL */ `mutation ($returnId: ID!) { cancelExpectedRefund(returnId: $returnId) }`, { returnId }),
  };
}
