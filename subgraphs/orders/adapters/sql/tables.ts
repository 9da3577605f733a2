import type { OutboxTables } from '../../../shared/outbox';
import type { Generated } from 'kysely';

/** The OMS tables in schema `oms`, as kysely sees them (CamelCasePlugin maps to snake_case). */
export interface OmsTables extends OutboxTables {
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
}

export type OrderRow = OmsTables['orders'];
export type LineItemRow = OmsTables['lineItems'];
export type ReturnRow = Omit<OmsTables['returns'], 'updatedAt'> & { updatedAt: Date };
export type ReturnItemRow = OmsTables['returnItems'];
