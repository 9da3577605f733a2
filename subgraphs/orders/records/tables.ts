import type { IdempotencyTables } from '../../shared/idempotency';
import type { IdentityTables } from '../../shared/identity';

/** The graph's own records beside any OMS, in schema `orders_records` (CamelCasePlugin maps to snake_case). */
export interface OrderRecordTables extends IdempotencyTables, IdentityTables {
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
