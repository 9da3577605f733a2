/**
 * The seam contract of issue #16 (common brief §1, §3-5) as this adapter codes against it until the
 * lead's "Seam:" commits and the vendor discipline land on main; then these imports move to
 * subgraphs/orders/port.ts, subgraphs/shared/{vendor,webhooks,identity}.ts and this file goes.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { NewReturn, OrderSource, Return } from '../../port';

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

export interface VendorWebhook {
  path: string;
  receive(rawBody: string, headers: IncomingHttpHeaders): Promise<{
    id: string;
    changes: { type: string; data: Record<string, unknown> }[];
    links?: { graphCustomerId: string; systemCustomerId: string }[];
  }>;
}

export class WebhookRefusal extends Error {
  constructor(readonly status: 400 | 401, readonly code: string, message: string) {
    super(message);
    this.name = 'WebhookRefusal';
  }
}

export interface CustomerLinks {
  systemCustomerIds(graphIds: readonly string[]): Promise<(string | null)[]>;
  graphCustomerIds(systemIds: readonly string[]): Promise<(string | null)[]>;
}

type SystemReads = Pick<OrderSource,
  'getOrders' | 'getOrdersByNumber' | 'listOrdersByCustomer' | 'listOrderDetailsByCustomer' | 'getLineItems' | 'listLineItemsByOrder'
  | 'getReturns' | 'listReturnsByOrder' | 'listReturnsByCustomer' | 'countOrdersPlaced' | 'exportCustomer' | 'eraseCustomer' | 'ping'>;

export interface OrderSystem extends SystemReads {
  createReturn(input: NewReturn, requestKey: string, check: (existing: Return[]) => void): Promise<Return>;
  findReturnByRequestKey(orderId: string, requestKey: string): Promise<Return | null>;
  abandonReturn(ret: Return): Promise<void>;
}
