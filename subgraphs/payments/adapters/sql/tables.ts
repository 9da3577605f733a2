import type { OutboxTables } from '../../../shared/outbox';

/** The payment service's tables in schema `payments` (CamelCasePlugin maps to snake_case). No PAN column exists. */
export interface PaymentTables extends OutboxTables {
  payments: {
    id: string;
    orderId: string;
    customerId: string;
    methodType: string;
    cardBrand: string | null;
    cardLast4: string | null;
    cardExpMonth: number | null;
    cardExpYear: number | null;
    status: string;
    currency: string;
    amountMinor: number;
    capturedMinor: number;
    refundedMinor: number;
    dueAt: Date | null;
    createdAt: Date;
    updatedAt: Date;
  };
  refunds: {
    id: string;
    paymentId: string;
    orderId: string;
    customerId: string;
    returnId: string | null;
    status: string;
    currency: string;
    amountMinor: number;
    reason: string | null;
    createdAt: Date;
    expectedBy: Date | null;
    completedAt: Date | null;
    failureReason: string | null;
  };
  disputes: {
    id: string;
    paymentId: string;
    orderId: string;
    customerId: string;
    status: string;
    reason: string;
    currency: string;
    amountMinor: number;
    openedAt: Date;
    respondBy: Date | null;
  };
}

export type PaymentRow = PaymentTables['payments'];
export type RefundRow = PaymentTables['refunds'];
export type DisputeRow = PaymentTables['disputes'];
