import type { OutboxTables } from '../../../shared/outbox';
import type { Generated } from 'kysely';

/** The carrier-integration tables in schema `logistics` (CamelCasePlugin maps to snake_case). */
export interface LogisticsTables extends OutboxTables {
  shipments: {
    id: string;
    orderId: string;
    customerId: string | null;
    carrier: string;
    trackingNumber: string;
    status: string;
    shippedAt: Date | null;
    estimatedDeliveryAt: Date | null;
    deliveredAt: Date | null;
    exceptionKind: string | null;
    exceptionReportedAt: Date | null;
    exceptionMessage: string | null;
    lineItemIds: string[];
    updatedAt: Date;
  };
  trackingEvents: {
    id: Generated<number>;
    shipmentId: string;
    occurredAt: Date;
    status: string;
    carrierStatusCode: string;
    description: string;
    location: string | null;
  };
  returnLabels: {
    id: string;
    returnId: string;
    orderId: string;
    customerId: string | null;
    carrier: string;
    trackingNumber: string;
    labelUrl: string;
    status: string;
    createdAt: Date;
    expiresAt: Date;
    voidedAt: Generated<Date | null>;
  };
}

export type ShipmentRow = LogisticsTables['shipments'];
export type TrackingEventRow = Omit<LogisticsTables['trackingEvents'], 'id'>;
export type ReturnLabelRow = Omit<LogisticsTables['returnLabels'], 'voidedAt'> & { voidedAt?: Date | null };
