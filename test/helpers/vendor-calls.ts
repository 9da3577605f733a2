import { AppError, ErrorCode } from '../../subgraphs/shared/errors';
import { requestDeadline } from '../../subgraphs/shared/resilience';
import type { VendorCallFactory, VendorFailure } from '../../subgraphs/payments/adapters/stripe/discipline';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The vendor-call discipline's contract in process, for adapter tests until subgraphs/shared/vendor.ts
 * is on main: the deadline as each attempt's time, reads and idempotent writes retried (3 attempts,
 * Retry-After honoured when it fits the deadline), failures as the closed codes with the service named.
 */
export function inProcessVendorCalls(options: { service: string; backendTimeoutMs: number }): VendorCallFactory & { attempts: { op: string; kind: string }[] } {
  const { service, backendTimeoutMs } = options;
  const attempts: { op: string; kind: string }[] = [];
  const failWith = (failure: VendorFailure) => {
    switch (failure.kind) {
      case 'timeout': return new AppError(ErrorCode.BACKEND_TIMEOUT, `The ${service} backend did not answer in time`, { service, retryable: true });
      case 'unavailable':
      case 'rate_limited': return new AppError(ErrorCode.BACKEND_UNAVAILABLE, `The ${service} backend is unavailable`, { service, retryable: true });
      case 'not_found': return new AppError(ErrorCode.NOT_FOUND, `Not found in the ${service} backend`);
      case 'conflict': return new AppError(ErrorCode.CONFLICT, `The ${service} backend refused the change: the record changed meanwhile`);
      default: return new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
    }
  };
  const factory: VendorCallFactory = ({ classify }) => {
    const call: ReturnType<VendorCallFactory>['call'] = async (what, fn) => {
      const deadline = requestDeadline.getStore() ?? Date.now() + backendTimeoutMs;
      for (let attempt = 1; ; attempt++) {
        const left = deadline - Date.now();
        if (left <= 0) throw failWith({ kind: 'timeout' });
        const ms = Math.min(backendTimeoutMs, left);
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), ms);
        attempts.push({ op: what.op, kind: what.kind });
        try {
          return await fn({ signal: controller.signal, timeoutMs: ms, attempt });
        } catch (err) {
          if (!controller.signal.aborted && err instanceof AppError) throw err;
          const failure: VendorFailure = controller.signal.aborted ? { kind: 'timeout' } : classify(err);
          const retryable = failure.kind === 'rate_limited' || ((what.kind === 'read' || what.idempotent) && (failure.kind === 'unavailable' || failure.kind === 'timeout'));
          const wait = Math.max(50 * attempt, failure.retryAfterMs ?? 0);
          if (retryable && attempt < 3 && Date.now() + wait + 50 < deadline) {
            await sleep(wait);
            continue;
          }
          throw failWith(failure);
        } finally {
          clearTimeout(timer);
        }
      }
    };
    return {
      call,
      async paginate(op, page, limit = Infinity) {
        const items: any[] = [];
        let cursor: string | undefined;
        do {
          const answer = await call({ op, kind: 'read' }, ({ signal, timeoutMs }) => page({ signal, timeoutMs, cursor }));
          items.push(...answer.items);
          cursor = answer.next;
        } while (cursor !== undefined && items.length < limit);
        return items.slice(0, limit);
      },
    };
  };
  return Object.assign(factory, { attempts });
}
