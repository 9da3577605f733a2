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
  currency: string;
  subtotal: Money;
  shippingTotal: Money;
  taxTotal: Money;
  discountTotal: Money;
  total: Money;
  shippingAddress: PostalAddress;
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

/**
 * What the orders subgraph needs from an OMS. Every read takes a list of keys and answers in key
 * order (null, or an empty list, for a missing key), so each DataLoader is one line:
 *
 *   const orders = new DataLoader((ids) => source.getOrders(ids));
 */
export interface OrderSource {
  /** Orders by id. */
  getOrders(ids: readonly string[]): Promise<(Order | null)[]>;
  /** Orders by their canonical number (NW-100234). */
  getOrdersByNumber(numbers: readonly string[]): Promise<(Order | null)[]>;
  /** Each customer's most recent orders, newest first, at most `first` each. */
  listOrdersByCustomer(customerIds: readonly string[], first: number): Promise<Order[][]>;
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
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
}
