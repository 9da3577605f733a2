/**
 * The vendor-call discipline's interface (common brief §5) as this adapter codes against it until
 * subgraphs/shared/vendor.ts is on main; then these imports move there and this file goes.
 */
export interface VendorFailure {
  kind: 'rate_limited' | 'unavailable' | 'timeout' | 'not_found' | 'conflict' | 'invalid' | 'other';
  status?: number;
  retryAfterMs?: number;
  code?: string;
}

export interface VendorCallOptions {
  vendor: string;
  requestsPerSecond: number;
  classify(err: unknown): VendorFailure;
}

export interface VendorCalls {
  call<T>(what: { op: string; kind: 'read' | 'write'; idempotent?: boolean }, fn: (call: { signal: AbortSignal; timeoutMs: number; attempt: number }) => Promise<T>): Promise<T>;
  paginate<T>(op: string, page: (call: { signal: AbortSignal; timeoutMs: number; cursor?: string }) => Promise<{ items: T[]; next?: string }>, limit?: number): Promise<T[]>;
}

export type VendorCallFactory = (options: VendorCallOptions) => VendorCalls;
