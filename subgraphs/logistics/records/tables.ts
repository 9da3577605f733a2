import type { OutboxTables } from '../../shared/outbox';

/** The graph's own records beside any carrier system, in schema `logistics_records` (CamelCasePlugin maps to snake_case). */
export interface LogisticsRecordTables extends OutboxTables {
  /** Which order, consignee and line items a carrier's shipment is: a carrier knows only the parcel. */
  shipmentOrders: {
    shipmentId: string;
    carrier: string;
    trackingNumber: string;
    orderId: string;
    customerId: string | null;
    lineItemIds: string[];
    registeredAt: Date;
  };
  /** Which label a return has: its id is recorded when drafted, before it is bought. */
  returnLabels: {
    returnId: string;
    labelId: string;
    orderId: string;
    customerId: string | null;
    draftedAt: Date;
    boughtAt: Date | null;
    voidedAt: Date | null;
  };
}
