import type { CustomerLinks } from '../shared/identity';
import type { ChangeFeed } from '../shared/outbox';
import type { VendorWebhook } from '../shared/webhooks';
import type { SystemPrivacy } from '../shared/privacy';
import type { Money } from '../shared/money';

export type OrderStatus =
  | 'PENDING_PAYMENT' | 'PROCESSING' | 'PARTIALLY_SHIPPED' | 'SHIPPED' | 'DELIVERED'
  | 'CANCELLED' | 'PARTIALLY_RETURNED' | 'RETURNED';
export type ReturnStatus = 'REQUESTED' | 'APPROVED' | 'IN_TRANSIT' | 'RECEIVED' | 'REFUNDED' | 'REJECTED' | 'CANCELLED';
export type ReturnReason =
  | 'DOES_NOT_FIT' | 'DAMAGED' | 'WRONG_ITEM' | 'NOT_AS_DESCRIBED' | 'CHANGED_MIND' | 'ARRIVED_LATE' | 'OTHER';

export interface PostalAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}

export interface Order {
  id: string;
  number: string;
  customerId: string;
  status: OrderStatus;
  placedAt: Date;
  updatedAt: Date;
  /** When the last parcel was delivered; return windows start here. */
  deliveredAt: Date | null;
  currency: string;
  subtotal: Money;
  shippingTotal: Money;
  taxTotal: Money;
  discountTotal: Money;
  total: Money;
  shippingAddress: PostalAddress;
  /** Set once the customer's personal data was erased (GDPR): the order stays, nameless. */
  erasedAt?: Date;
}

export interface LineItem {
  id: string;
  orderId: string;
  position: number;
  sku: string;
  title: string;
  category: string;
  quantity: number;
  unitPrice: Money;
  total: Money;
  finalSale: boolean;
}

export interface ReturnItem {
  lineItemId: string;
  quantity: number;
  reason: ReturnReason;
}

export interface Return {
  id: string;
  rma: string;
  orderId: string;
  customerId: string;
  status: ReturnStatus;
  items: ReturnItem[];
  createdAt: Date;
  updatedAt: Date;
}

export type ReturnPolicyRuleKind = 'WINDOW' | 'NOT_RETURNABLE' | 'LEGAL_MINIMUM' | 'EXTENSION';

/**
 * One row of the return policy. A rule applies to items whose category and shipping country match
 * (null matches any) of orders placed within [ordersPlacedFrom, ordersPlacedUntil) (null: always).
 * WINDOW: returnable for `days` after delivery (the most specific window wins). NOT_RETURNABLE:
 * never. LEGAL_MINIMUM: the window is at least `days`. EXTENSION: returnable until at least
 * `extendedUntil` (a promotion).
 */
export interface ReturnPolicyRule {
  id: string;
  kind: ReturnPolicyRuleKind;
  name: string;
  category: string | null;
  country: string | null;
  days: number | null;
  extendedUntil: Date | null;
  ordersPlacedFrom: Date | null;
  ordersPlacedUntil: Date | null;
}

export interface NewReturn {
  orderId: string;
  customerId: string;
  items: ReturnItem[];
}

/** An order's line items and returns, read with the customer's orders instead of after them. */
export interface OrderDetails {
  orderId: string;
  lineItems: LineItem[];
  returns: Return[];
}

/**
 * The system-of-record port: what an OMS adapter implements (the reference SQL OMS, commercetools).
 * Every read takes a list of keys and answers in key order (null, or an empty list, for a missing
 * key), so each DataLoader is one line. Customer ids here are the OMS's own: the graph maps them
 * (subgraphs/shared/identity.ts). What the graph keeps itself (the return policy, idempotency keys,
 * customer links) is not here: see records/.
 *
 *   const orders = new DataLoader((ids) => system.getOrders(ids));
 */
export interface OrderSystem extends Partial<ChangeFeed>, CustomerLinks {
  /** How far this system's API reaches for GDPR export and erasure (said in the answers to both). */
  privacy?: SystemPrivacy;
  /** Orders by id. */
  getOrders(ids: readonly string[]): Promise<(Order | null)[]>;
  /** Orders by their canonical number, as the OMS writes it (NW-100234, CT-2026-000123). */
  getOrdersByNumber(numbers: readonly string[]): Promise<(Order | null)[]>;
  /** Each customer's most recent orders, newest first, at most `first` each. */
  listOrdersByCustomer(customerIds: readonly string[], first: number): Promise<Order[][]>;
  /**
   * The line items and returns of each customer's most recent orders (those listOrdersByCustomer
   * answers for the same `first`), newest order first. Read beside the orders, they cost no second
   * round trip after them; an OMS whose API embeds line items in orders answers both from one call.
   */
  listOrderDetailsByCustomer(customerIds: readonly string[], first: number): Promise<OrderDetails[][]>;
  /** Line items by id. */
  getLineItems(ids: readonly string[]): Promise<(LineItem | null)[]>;
  /** Each order's line items in order position. */
  listLineItemsByOrder(orderIds: readonly string[]): Promise<LineItem[][]>;
  /** Returns by id. */
  getReturns(ids: readonly string[]): Promise<(Return | null)[]>;
  /** Each order's returns, newest first. */
  listReturnsByOrder(orderIds: readonly string[]): Promise<Return[][]>;
  /** Each customer's returns, newest first, at most `first` each. */
  listReturnsByCustomer(customerIds: readonly string[], first: number): Promise<Return[][]>;
  /**
   * Creates a return in the OMS. `check` runs on the order's returns as the write sees them and
   * throws to refuse; the write must not succeed if they changed between the check and the write
   * (a lock, or the order's version and a retry). `requestKey` is unique per request: the OMS keeps
   * it with the return, so findReturnByRequestKey finds a return whose answer was lost.
   */
  createReturn(input: NewReturn, requestKey: string, check: (existing: Return[]) => void): Promise<Return>;
  /** The order's return created under this request key, null when there is none. */
  findReturnByRequestKey(orderId: string, requestKey: string): Promise<Return | null>;
  /** Undoes a return whose label or refund could not be set up. */
  abandonReturn(ret: Return): Promise<void>;
  /** How many orders were placed in [from, to). */
  countOrdersPlaced(from: Date, to: Date): Promise<number>;
  /** Everything the OMS holds about a customer (GDPR access): orders with items, returns. */
  exportCustomer(customerId: string): Promise<{ orderIds: string[]; data: Record<string, unknown> }>;
  /** Pseudonymizes the shipping addresses of the customer's orders (GDPR erasure); the records changed and the order ids. */
  eraseCustomer(customerId: string, at: Date): Promise<{ records: number; orderIds: string[] }>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
  /** The order-number formats this OMS writes, when its configuration names them. */
  readonly orderNumberFormats?: readonly string[];
  /** Its vendor's webhooks, served by the subgraph (subgraphs/shared/webhooks.ts). */
  readonly webhooks?: readonly VendorWebhook[];
}

/**
 * What the orders subgraph reads and writes: the OMS (in graph customer ids) and the graph's own
 * records together (subgraphs/orders/source.ts composes them). Resolvers, loaders and the cache see only this.
 */
export interface OrderSource extends Omit<OrderSystem, 'createReturn' | 'findReturnByRequestKey' | 'abandonReturn' | keyof CustomerLinks | 'webhooks' | 'privacy'> {
  /** The system of record's GDPR reach, named in the export and the erasure report. */
  privacy: SystemPrivacy;
  /** The return policy, every rule (the graph's own). */
  listReturnPolicyRules(): Promise<ReturnPolicyRule[]>;
  /**
   * Creates a return once per idempotency key (a repeat answers the first return). `check` runs
   * inside the write, against the order's other returns as the OMS holds them: two concurrent
   * returns can never return more than was bought.
   */
  createReturn(input: NewReturn, idempotencyKey: string, check: (existing: Return[]) => void): Promise<{ ret: Return; replayed: boolean }>;
  /** The return an earlier call with this key created (null: a new key); CONFLICT when the key was used for other input. */
  findReturnByIdempotencyKey(idempotencyKey: string, input: NewReturn): Promise<Return | null>;
  /** Undoes a return whose label or refund could not be set up, and frees its key for a retry. */
  abandonReturn(ret: Return, idempotencyKey: string): Promise<void>;
}

/**
 * The other systems a return needs: a label from logistics and the expected refund from payments.
 * Every call is idempotent per return, so a retried saga converges.
 */
export interface ReturnFulfilment {
  /** `sender` is the order's shipping address: the label's from-address at the carrier. */
  issueReturnLabel(input: { returnId: string; orderId: string; customerId: string; rma: string; country: string; sender: PostalAddress }): Promise<void>;
  voidReturnLabel(returnId: string): Promise<void>;
  registerExpectedRefund(input: { returnId: string; orderId: string; customerId: string; amount: Money; reason: string }): Promise<void>;
  cancelExpectedRefund(returnId: string): Promise<void>;
}
