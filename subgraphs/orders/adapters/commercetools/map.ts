import type { LineItem as CtLineItem, Order as CtOrder, ReturnInfo, ReturnItem as CtReturnItem, TypedMoney, Address } from '@commercetools/platform-sdk';
import type { Logger } from '../../../shared/logger';
import { money, type Money } from '../../../shared/money';
import type { LineItem, Order, OrderStatus, PostalAddress, Return, ReturnReason, ReturnStatus } from '../../port';

/** Where the brand keeps a value: a top-level field, a custom field (`custom.<name>`), or a variant attribute (`attributes.<name>`). */
export type FieldPath = { kind: 'field'; name: string } | { kind: 'custom'; name: string } | { kind: 'attribute'; name: string };

export function parseFieldPath(path: string): FieldPath {
  const [head, ...rest] = path.split('.');
  const name = rest.join('.');
  if (head === 'custom' && name) return { kind: 'custom', name };
  if (head === 'attributes' && name) return { kind: 'attribute', name };
  return { kind: 'field', name: path };
}

export interface MapOptions {
  /** Line item: where the return-policy category is. */
  categoryField: FieldPath;
  /** Line item: where the final-sale flag is. */
  finalSaleField: FieldPath;
  /** Order: where the time the last parcel was delivered is (commercetools itself records none). */
  deliveredAtField: FieldPath;
  /** Order: where the time the customer's data was erased is. */
  erasedAtField: FieldPath;
  logger: Logger;
}

/** The custom fields this adapter writes on the return items it creates (the configured return-item Type). */
export const RETURN_ITEM_FIELDS = { requestKey: 'requestKey', reason: 'reason', status: 'status' } as const;
/** The value of the status field of a return the graph abandoned (the API cannot delete a ReturnInfo). */
export const ABANDONED = 'CANCELLED';

/** commercetools Money (cent amount in the currency's fraction digits) → the graph's minor units. */
export function toMoney(value: Pick<TypedMoney, 'centAmount' | 'currencyCode'> & { fractionDigits?: number } | undefined, currency: string): Money {
  if (!value) return money(0, currency);
  // centAmount is already in the currency's minor units (fractionDigits of them): nothing to scale for ISO currencies.
  return money(value.centAmount, value.currencyCode);
}

const warned = new Set<string>();
/** Logs a vendor value the table does not know, once per process: the order is still answered. */
function unknownValue(logger: Logger, field: string, value: string, fallback: string): void {
  const key = `${field}:${value}`;
  if (warned.has(key) || warned.size > 1000) return;
  warned.add(key);
  logger.warn({ vendor: 'commercetools', field, value, mappedTo: fallback }, 'unknown commercetools state mapped to the nearest safe status');
}

const ORDER_STATES = new Set(['Open', 'Confirmed', 'Complete', 'Cancelled']);
const PAYMENT_STATES = new Set(['BalanceDue', 'CreditOwed', 'Failed', 'Paid', 'Pending']);
/** Shipment state → status, before returns and cancellation are considered. */
const SHIPMENT_STATUS: Record<string, OrderStatus | 'UNSHIPPED'> = {
  Delivered: 'DELIVERED',
  Shipped: 'SHIPPED',
  Partial: 'PARTIALLY_SHIPPED',
  Ready: 'UNSHIPPED',
  Pending: 'UNSHIPPED',
  Delayed: 'UNSHIPPED',
  Backorder: 'UNSHIPPED',
  Canceled: 'CANCELLED',
};
/** Received back: the shipment states after the parcel arrived at the warehouse. */
const RECEIVED = new Set(['Returned', 'BackInStock', 'Unusable']);

/**
 * THE status table: orderState × shipmentState × paymentState (and received returns) → OrderStatus.
 * - Cancelled (order) or Canceled (shipment) → CANCELLED, whatever else.
 * - Every bought unit received back → RETURNED; some → PARTIALLY_RETURNED (an Advised return is not yet back).
 * - Delivered / Shipped / Partial → DELIVERED / SHIPPED / PARTIALLY_SHIPPED.
 * - Not shipped (Ready, Pending, Delayed, Backorder, none): payment Pending or Failed → PENDING_PAYMENT,
 *   otherwise (Paid, BalanceDue: pay-later and invoice orders ship before payment, CreditOwed) → PROCESSING;
 *   an order Complete with no shipment state → DELIVERED (fulfilled outside commercetools' shipment tracking).
 * - An unknown shipment state → PROCESSING (promises nothing: no delivery, no return window), logged once.
 */
export function orderStatusOf(order: Pick<CtOrder, 'orderState' | 'shipmentState' | 'paymentState' | 'lineItems' | 'returnInfo'>, logger: Logger): OrderStatus {
  const { orderState, shipmentState, paymentState } = order;
  if (!ORDER_STATES.has(orderState)) unknownValue(logger, 'orderState', orderState, 'its shipment and payment states');
  if (paymentState && !PAYMENT_STATES.has(paymentState)) unknownValue(logger, 'paymentState', paymentState, 'PROCESSING when unshipped');
  if (orderState === 'Cancelled' || shipmentState === 'Canceled') return 'CANCELLED';
  const bought = order.lineItems.reduce((sum, i) => sum + i.quantity, 0);
  const received = (order.returnInfo ?? [])
    .flatMap((info) => info.items)
    .filter((i) => RECEIVED.has(i.shipmentState) && fieldOf(i, RETURN_ITEM_FIELDS.status) !== ABANDONED)
    .reduce((sum, i) => sum + i.quantity, 0);
  if (received > 0) return received >= bought ? 'RETURNED' : 'PARTIALLY_RETURNED';
  let shipped: OrderStatus | 'UNSHIPPED' = 'UNSHIPPED';
  if (shipmentState) {
    const known = SHIPMENT_STATUS[shipmentState];
    if (known) shipped = known;
    else {
      unknownValue(logger, 'shipmentState', shipmentState, 'PROCESSING');
      return 'PROCESSING';
    }
  } else if (orderState === 'Complete') return 'DELIVERED';
  if (shipped !== 'UNSHIPPED') return shipped;
  return paymentState === 'Pending' || paymentState === 'Failed' ? 'PENDING_PAYMENT' : 'PROCESSING';
}

const RETURN_SHIPMENT: Record<string, ReturnStatus> = { Advised: 'REQUESTED', Returned: 'RECEIVED', BackInStock: 'RECEIVED', Unusable: 'RECEIVED' };
const RETURN_PAYMENT: Record<string, ReturnStatus | null> = { Initial: null, NonRefundable: null, Refunded: 'REFUNDED', NotRefunded: 'REJECTED' };
const PROGRESS: ReturnStatus[] = ['REQUESTED', 'APPROVED', 'IN_TRANSIT', 'RECEIVED', 'REFUNDED'];

/**
 * One return item's status: abandoned by the graph → CANCELLED; payment Refunded → REFUNDED,
 * NotRefunded → REJECTED; otherwise its shipment: Advised → REQUESTED, Returned / BackInStock /
 * Unusable → RECEIVED. An unknown state → REQUESTED (the return stays open), logged once.
 */
export function returnItemStatusOf(item: CtReturnItem, logger: Logger): ReturnStatus {
  if (fieldOf(item, RETURN_ITEM_FIELDS.status) === ABANDONED) return 'CANCELLED';
  if (!(item.paymentState in RETURN_PAYMENT)) unknownValue(logger, 'returnPaymentState', item.paymentState, 'its shipment state');
  const paid = RETURN_PAYMENT[item.paymentState];
  if (paid) return paid;
  const shipped = RETURN_SHIPMENT[item.shipmentState];
  if (shipped) return shipped;
  unknownValue(logger, 'returnShipmentState', item.shipmentState, 'REQUESTED');
  return 'REQUESTED';
}

/** A return's status from its items': all cancelled or all rejected as such, else the least advanced. */
export function returnStatusOf(items: CtReturnItem[], logger: Logger): ReturnStatus {
  const statuses = items.map((i) => returnItemStatusOf(i, logger));
  for (const whole of ['CANCELLED', 'REJECTED'] as const) if (statuses.every((s) => s === whole)) return whole;
  const open = statuses.filter((s) => s !== 'CANCELLED' && s !== 'REJECTED');
  return open.reduce((least, s) => (PROGRESS.indexOf(s) < PROGRESS.indexOf(least) ? s : least), open[0] ?? 'REQUESTED');
}

const REASONS = new Set<ReturnReason>(['DOES_NOT_FIT', 'DAMAGED', 'WRONG_ITEM', 'NOT_AS_DESCRIBED', 'CHANGED_MIND', 'ARRIVED_LATE', 'OTHER']);

function fieldOf(holder: { custom?: { fields: Record<string, unknown> } }, name: string): unknown {
  return holder.custom?.fields?.[name];
}

function valueAt(path: FieldPath, holder: { custom?: { fields: Record<string, unknown> } } & Record<string, unknown>, attributes?: { name: string; value: unknown }[]): unknown {
  if (path.kind === 'custom') return fieldOf(holder, path.name);
  if (path.kind === 'attribute') return attributes?.find((a) => a.name === path.name)?.value;
  return holder[path.name];
}

const asDate = (value: unknown): Date | null => {
  if (typeof value !== 'string') return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : at;
};

/** A localized name in the order's locale, else English, else the first there is. */
function localized(text: Record<string, string> | undefined, locale: string | undefined): string {
  if (!text) return '';
  return (locale && (text[locale] ?? text[locale.split('-')[0]])) ?? text.en ?? Object.values(text)[0] ?? '';
}

function postalAddress(address: Address | undefined): PostalAddress {
  const a = address ?? ({ country: '' } as Address);
  const name = [a.firstName, a.lastName].filter(Boolean).join(' ') || a.company || '';
  const line1 = [a.streetName, a.streetNumber].filter(Boolean).join(' ');
  return {
    name,
    line1,
    line2: a.additionalStreetInfo || a.additionalAddressInfo || null,
    city: a.city ?? '',
    region: a.state || a.region || null,
    postalCode: a.postalCode ?? '',
    country: a.country,
  };
}

export function toOrder(order: CtOrder, customerId: string, options: MapOptions): Order {
  const currency = order.totalPrice.currencyCode;
  const m = (value?: TypedMoney) => toMoney(value, currency);
  const subtotal = order.lineItems.reduce((sum, i) => sum + i.totalPrice.centAmount, 0) + (order.customLineItems ?? []).reduce((sum, i) => sum + i.totalPrice.centAmount, 0);
  const lineDiscounts = order.lineItems.reduce((sum, i) => sum + Math.max(0, i.price.value.centAmount * i.quantity - i.totalPrice.centAmount), 0);
  const erasedAt = asDate(valueAt(options.erasedAtField, order as never));
  return {
    id: order.id,
    number: order.orderNumber ?? order.id,
    customerId,
    status: orderStatusOf(order, options.logger),
    // Imported orders carry the original placing time in completedAt; createdAt is the import's.
    placedAt: new Date(order.completedAt ?? order.createdAt),
    updatedAt: new Date(order.lastModifiedAt),
    deliveredAt: asDate(valueAt(options.deliveredAtField, order as never)),
    currency,
    subtotal: money(subtotal, currency),
    shippingTotal: m(order.shippingInfo?.price ?? order.shipping?.[0]?.shippingInfo?.price),
    taxTotal: m(order.taxedPrice?.totalTax),
    discountTotal: money(lineDiscounts + (order.discountOnTotalPrice?.discountedAmount.centAmount ?? 0), currency),
    // What the customer pays: gross when commercetools taxed the order (net prices), else the total.
    total: m(order.taxedPrice?.totalGross ?? order.totalPrice),
    shippingAddress: postalAddress(order.shippingAddress),
    ...(erasedAt ? { erasedAt } : {}),
  };
}

export function toLineItem(item: CtLineItem, position: number, order: CtOrder, options: MapOptions): LineItem {
  const currency = order.totalPrice.currencyCode;
  const category = valueAt(options.categoryField, item as never, item.variant.attributes);
  const finalSale = valueAt(options.finalSaleField, item as never, item.variant.attributes);
  return {
    id: item.id,
    orderId: order.id,
    position,
    sku: item.variant.sku ?? '',
    title: localized(item.name, order.locale),
    category: typeof category === 'string' ? category : typeof (category as { key?: string })?.key === 'string' ? (category as { key: string }).key : '',
    quantity: item.quantity,
    unitPrice: toMoney(item.price.value, currency),
    total: toMoney(item.totalPrice, currency),
    finalSale: finalSale === true,
  };
}

/** A return is one ReturnInfo; its id is its first item's (stable, and findable with a predicate on the order). */
export const returnIdOf = (info: ReturnInfo) => info.items[0]?.id;

export function toReturn(info: ReturnInfo, order: CtOrder, customerId: string, options: MapOptions): Return {
  const items = info.items;
  const reasonOf = (item: CtReturnItem): ReturnReason => {
    const reason = fieldOf(item, RETURN_ITEM_FIELDS.reason);
    return typeof reason === 'string' && REASONS.has(reason as ReturnReason) ? (reason as ReturnReason) : 'OTHER';
  };
  const times = items.map((i) => new Date(i.lastModifiedAt).getTime());
  const id = returnIdOf(info)!;
  return {
    id,
    rma: info.returnTrackingId ?? id,
    orderId: order.id,
    customerId,
    status: returnStatusOf(items, options.logger),
    items: items.map((item) => ({
      lineItemId: item.type === 'CustomLineItemReturnItem' ? item.customLineItemId : item.lineItemId,
      quantity: item.quantity,
      reason: reasonOf(item),
    })),
    createdAt: new Date(info.returnDate ?? items[0].createdAt),
    updatedAt: new Date(Math.max(...times)),
  };
}

/** The requestKey the graph stored on a return it created (on its first item). */
export const requestKeyOf = (info: ReturnInfo): string | undefined => {
  const key = info.items[0] && fieldOf(info.items[0], RETURN_ITEM_FIELDS.requestKey);
  return typeof key === 'string' ? key : undefined;
};
