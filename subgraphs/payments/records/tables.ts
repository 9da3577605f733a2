import type { IdempotencyTables } from '../../shared/idempotency';
import type { IdentityTables } from '../../shared/identity';
import type { OutboxTables } from '../../shared/outbox';

/** The graph's own records beside any payment service, in schema `payments_records` (CamelCasePlugin maps to snake_case). */
export interface PaymentRecordTables extends IdempotencyTables, IdentityTables, OutboxTables {
  paymentPromises: {
    id: string;
    customerId: string;
    currency: string;
    amountMinor: number;
    promisedFor: string;
    status: string;
    channel: string;
    agentId: string | null;
    note: string | null;
    createdAt: Date;
  };
  /** What the graph told the customer to expect for a return, until the payment service has the refund. */
  expectedRefunds: {
    id: string;
    paymentId: string;
    orderId: string;
    customerId: string;
    returnId: string;
    status: string;
    currency: string;
    amountMinor: number;
    reason: string | null;
    createdAt: Date;
    expectedBy: Date | null;
    completedAt: Date | null;
    failureReason: string | null;
  };
}
