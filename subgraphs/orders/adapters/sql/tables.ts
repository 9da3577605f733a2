import type { OutboxTables } from '../../../shared/outbox';
import type { Generated } from 'kysely';
import type { IdempotencyTables } from '../../../shared/idempotency';

/** The OMS tables in schema `oms`, as kysely sees them (CamelCasePlugin maps to snake_case). */
export interface OmsTables extends IdempotencyTables, OutboxTables {
  orders: {
    id: string;
    number: string;
    customerId: string;
    status: string;
    placedAt: Date;
    updatedAt: Date;
    deliveredAt: Date | null;
    currency: string;
    subtotalMinor: number;
    shippingMinor: number;
    taxMinor: number;
    discountMinor: number;
    totalMinor: number;
    shipName: string;
    shipLine1: string;
    shipLine2: string | null;
    shipCity: string;
    shipRegion: string | null;
    shipPostalCode: string;
    shipCountry: string;
    erasedAt?: Date | null;
  };
  lineItems: {
    id: string;
    orderId: string;
    position: number;
    sku: string;
    title: string;
    category: string;
    quantity: number;
    unitPriceMinor: number;
    finalSale: boolean;
  };
  returns: {
    id: string;
    rma: string;
    orderId: string;
    customerId: string;
    status: string;
    createdAt: Date;
    updatedAt: Generated<Date>;
    /** The graph's request key of the InitiateReturn that made it (null for returns made elsewhere). */
    requestKey?: string | null;
  };
  returnItems: {
    returnId: string;
    lineItemId: string;
    quantity: number;
    reason: string;
  };
  returnPolicyRules: {
    id: string;
    kind: string;
    name: string;
    category: string | null;
    country: string | null;
    days: number | null;
    extendedUntil: Date | null;
    ordersPlacedFrom: Date | null;
    ordersPlacedUntil: Date | null;
  };
}

export type OrderRow = OmsTables['orders'];
export type LineItemRow = OmsTables['lineItems'];
export type ReturnRow = Omit<OmsTables['returns'], 'updatedAt'> & { updatedAt: Date };
export type ReturnItemRow = OmsTables['returnItems'];
