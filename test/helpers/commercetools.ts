import { join } from 'node:path';
import { ClientBuilder } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient, type ByProjectKeyRequestBuilder, type Order as CtOrder, type OrderUpdateAction } from '@commercetools/platform-sdk';
import { createLogger } from '../../subgraphs/shared/logger';
import { createVendorCallFactory, type VendorCallFactory } from '../../subgraphs/shared/vendor';
import { returnItemTypeDraft } from '../../subgraphs/orders/adapters/commercetools';
import type { Order, Return } from '../../subgraphs/orders/port';
import { money } from '../../subgraphs/shared/money';
import type { DemoData } from '../fixtures/demo-data';
import { runEntry, type Child } from './process';

const ROOT = join(__dirname, '../..');
export const CT_ORDER_TYPE = 'customer-context-order';
export const CT_LINE_ITEM_TYPE = 'customer-context-line-item';
export const CT_RETURN_ITEM_TYPE = 'customer-context-return-item';
export const CT_PRODUCT_TYPE = 'customer-context-product';

/** Starts the emulator as its own process (test/helpers/commercetools-emulator.ts). */
export async function startEmulatorProcess(): Promise<{ url: string; child: Child }> {
  const child = runEntry(join(ROOT, 'test/helpers/commercetools-emulator.ts'), {});
  await child.waitFor(/listening on \d+/, 30_000);
  const port = /listening on (\d+)/.exec(child.output())![1];
  return { url: `http://127.0.0.1:${port}`, child };
}

/** A plain SDK client (no discipline), for loading fixtures the way a brand's own tools would. */
export function sdkFor(url: string, projectKey: string, clientId: string, clientSecret: string): ByProjectKeyRequestBuilder {
  const client = new ClientBuilder()
    .withProjectKey(projectKey)
    .withClientCredentialsFlow({ host: url, projectKey, credentials: { clientId, clientSecret }, httpClient: fetch })
    .withHttpMiddleware({ host: url, httpClient: fetch, enableRetry: false })
    .build();
  return createApiBuilderFromCtpClient(client).withProjectKey({ projectKey });
}

/**
 * The discipline as a subgraph gets it (in process: limits and pauses per factory), with `before`
 * run ahead of each call: tests use it to act between an adapter's read and its write.
 */
export function testVendorCalls(options: { backendTimeoutMs?: number; before?: (op: string) => Promise<void> } = {}): VendorCallFactory {
  const factory = createVendorCallFactory({ service: 'orders', namespace: `test-${process.pid}`, backendTimeoutMs: options.backendTimeoutMs ?? 2_000, logger: createLogger('test', 'silent') });
  const { before } = options;
  if (!before) return factory;
  return (vendor) => {
    const calls = factory(vendor);
    return { ...calls, call: async (what, fn) => (await before(what.op), calls.call(what, fn)) };
  };
}

const ORDER_STATES: Record<Order['status'], { orderState: string; shipmentState?: string; paymentState?: string }> = {
  PENDING_PAYMENT: { orderState: 'Open', shipmentState: 'Pending', paymentState: 'Pending' },
  PROCESSING: { orderState: 'Confirmed', shipmentState: 'Pending', paymentState: 'Paid' },
  PARTIALLY_SHIPPED: { orderState: 'Confirmed', shipmentState: 'Partial', paymentState: 'Paid' },
  SHIPPED: { orderState: 'Confirmed', shipmentState: 'Shipped', paymentState: 'Paid' },
  DELIVERED: { orderState: 'Complete', shipmentState: 'Delivered', paymentState: 'Paid' },
  CANCELLED: { orderState: 'Cancelled' },
  PARTIALLY_RETURNED: { orderState: 'Complete', shipmentState: 'Delivered', paymentState: 'Paid' },
  RETURNED: { orderState: 'Complete', shipmentState: 'Delivered', paymentState: 'Paid' },
};
// APPROVED and IN_TRANSIT have no return state in commercetools: they load as Advised (REQUESTED).
const RETURN_STATES: Record<Return['status'], { shipmentState: string; paymentState?: string; cancelled?: boolean }> = {
  REQUESTED: { shipmentState: 'Advised' },
  APPROVED: { shipmentState: 'Advised' },
  IN_TRANSIT: { shipmentState: 'Advised' },
  RECEIVED: { shipmentState: 'Returned' },
  REFUNDED: { shipmentState: 'Returned', paymentState: 'Refunded' },
  REJECTED: { shipmentState: 'Returned', paymentState: 'NotRefunded' },
  CANCELLED: { shipmentState: 'Advised', cancelled: true },
};

/** The Types and product type the adapter's default configuration reads (a brand has its own). */
async function createSchema(api: ByProjectKeyRequestBuilder): Promise<void> {
  const field = (name: string, type: 'String' | 'Boolean' | 'DateTime') => ({ name, label: { en: name }, required: false, type: { name: type } });
  await api.types().post({ body: returnItemTypeDraft(CT_RETURN_ITEM_TYPE) as never }).execute();
  await api.types().post({ body: { key: CT_ORDER_TYPE, name: { en: 'Order' }, resourceTypeIds: ['order'], fieldDefinitions: [field('deliveredAt', 'DateTime'), field('erasedAt', 'DateTime')] as never } }).execute();
  await api.types().post({ body: { key: CT_LINE_ITEM_TYPE, name: { en: 'Line item' }, resourceTypeIds: ['line-item'], fieldDefinitions: [field('finalSale', 'Boolean')] as never } }).execute();
  await api.productTypes().post({
    body: { key: CT_PRODUCT_TYPE, name: 'Product', description: 'Product', attributes: [{ name: 'returnCategory', label: { en: 'Return category' }, isRequired: false, type: { name: 'text' } }] as never },
  }).execute();
}

function splitName(name: string): { firstName: string; lastName?: string } {
  const space = name.indexOf(' ');
  return space < 0 ? { firstName: name } : { firstName: name.slice(0, space), lastName: name.slice(space + 1) };
}

/** Bounded parallelism: the emulator is one process sharing two cores with the tests. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

export interface HeldIds {
  customers: Map<string, string>;
  orders: Map<string, string>;
  lineItems: Map<string, string>;
  returns: Map<string, string>;
}

/**
 * Loads the fixtures into a commercetools project THROUGH THE API (customers with externalId = the
 * graph's id, products, orders by Order Import, their states and returns by update actions) and
 * answers them as the project holds them: its ids everywhere, and what it cannot express replaced
 * by what it answers (see the report: placedAt, updatedAt, totals, APPROVED/IN_TRANSIT returns).
 */
export async function loadFixtures(api: ByProjectKeyRequestBuilder, data: DemoData): Promise<{ held: DemoData; ids: HeldIds }> {
  await createSchema(api);
  const ids: HeldIds = { customers: new Map(), orders: new Map(), lineItems: new Map(), returns: new Map() };
  const products = new Map(data.lineItems.map((i) => [i.sku, i]));
  await eachLimited([...products.values()], 4, async (item) => {
    await api.products().post({
      body: {
        productType: { typeId: 'product-type', key: CT_PRODUCT_TYPE },
        name: { en: item.title },
        slug: { en: item.sku.toLowerCase() },
        masterVariant: { sku: item.sku, attributes: [{ name: 'returnCategory', value: item.category }] },
        publish: true,
      },
    }).execute();
  });
  await eachLimited(data.customers, 4, async (c) => {
    const { body } = await api.customers().post({ body: { email: c.email, firstName: c.firstName, lastName: c.lastName, externalId: c.id, password: undefined } }).execute();
    ids.customers.set(c.id, body.customer.id);
  });

  const heldOrders = new Map<string, CtOrder>();
  await eachLimited(data.orders, 8, async (order) => {
    const items = data.lineItems.filter((i) => i.orderId === order.id).sort((a, b) => a.position - b.position);
    const states = ORDER_STATES[order.status];
    const a = order.shippingAddress;
    const { body: imported } = await api.orders().importOrder().post({
      body: {
        orderNumber: order.number,
        customerId: ids.customers.get(order.customerId),
        totalPrice: { currencyCode: order.currency, centAmount: order.total.amountMinor },
        // Kept by the real API on import; the emulator derives its own (none without line tax rates).
        taxedPrice: { totalNet: { currencyCode: order.currency, centAmount: order.total.amountMinor - order.taxTotal.amountMinor }, totalGross: { currencyCode: order.currency, centAmount: order.total.amountMinor }, taxPortions: [] },
        completedAt: order.placedAt.toISOString(),
        orderState: states.orderState,
        ...(states.shipmentState ? { shipmentState: states.shipmentState } : {}),
        ...(states.paymentState ? { paymentState: states.paymentState } : {}),
        shippingAddress: { ...splitName(a.name), streetName: a.line1, ...(a.line2 ? { additionalStreetInfo: a.line2 } : {}), city: a.city, ...(a.region ? { state: a.region } : {}), postalCode: a.postalCode, country: a.country },
        custom: { type: { typeId: 'type', key: CT_ORDER_TYPE }, fields: order.deliveredAt ? { deliveredAt: order.deliveredAt.toISOString() } : {} },
        lineItems: items.map((i) => ({
          name: { en: i.title },
          variant: { sku: i.sku },
          price: { value: { currencyCode: order.currency, centAmount: i.unitPrice.amountMinor } },
          quantity: i.quantity,
          custom: { type: { typeId: 'type', key: CT_LINE_ITEM_TYPE }, fields: { finalSale: i.finalSale } },
        })),
      } as never,
    }).execute();
    ids.orders.set(order.id, imported.id);
    items.forEach((item, k) => ids.lineItems.set(item.id, imported.lineItems[k].id));

    let current = imported;
    const update = async (actions: OrderUpdateAction[]) => {
      if (actions.length === 0) return;
      current = (await api.orders().withId({ ID: current.id }).post({ body: { version: current.version, actions } }).execute()).body;
    };
    // The emulator's import takes no shipment state; the API's own update actions set it.
    if (states.shipmentState && current.shipmentState !== states.shipmentState) await update([{ action: 'changeShipmentState', shipmentState: states.shipmentState }]);
    const returns = data.returns.filter((r) => r.orderId === order.id).sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime());
    for (const ret of returns) {
      const target = RETURN_STATES[ret.status];
      await update([{
        action: 'addReturnInfo',
        returnTrackingId: ret.rma,
        returnDate: ret.createdAt.toISOString(),
        items: ret.items.map((i) => ({
          lineItemId: ids.lineItems.get(i.lineItemId)!,
          quantity: i.quantity,
          shipmentState: target.shipmentState,
          custom: { type: { typeId: 'type', key: CT_RETURN_ITEM_TYPE }, fields: { reason: i.reason, ...(target.cancelled ? { status: 'CANCELLED' } : {}) } },
        })),
      }]);
      const info = current.returnInfo![current.returnInfo!.length - 1];
      ids.returns.set(ret.id, info.items[0].id);
      if (target.paymentState) await update(info.items.map((i) => ({ action: 'setReturnPaymentState', returnItemId: i.id, paymentState: target.paymentState! })));
    }
    heldOrders.set(order.id, current);
  });
  return { held: heldData(data, ids, heldOrders), ids };
}

/** The fixtures as the project holds them: ids mapped everywhere, and the fields the project stamps or computes as it answered them. */
function heldData(data: DemoData, ids: HeldIds, orders: Map<string, CtOrder>): DemoData {
  const orderId = (id: string) => ids.orders.get(id) ?? id;
  const lineItemId = (id: string) => ids.lineItems.get(id) ?? id;
  const returnId = (id: string) => ids.returns.get(id) ?? id;
  const customerId = (id: string) => ids.customers.get(id) ?? id;
  const held: DemoData = structuredClone(data);
  held.customers = held.customers.map((c) => ({ ...c, id: customerId(c.id) }));
  held.orders = data.orders.map((o) => {
    const ct = orders.get(o.id)!;
    const m = (minor: number) => money(minor, o.currency);
    return {
      ...o,
      id: ct.id,
      customerId: customerId(o.customerId),
      // Stamped by the project: an imported order's completedAt where the API keeps it, else when it was imported.
      placedAt: new Date(ct.completedAt ?? ct.createdAt),
      updatedAt: new Date(ct.lastModifiedAt),
      subtotal: m(ct.lineItems.reduce((sum, i) => sum + i.totalPrice.centAmount, 0)),
      // Order Import carries no discounts and, in the emulator, no shipping info or given tax.
      shippingTotal: m(ct.shippingInfo?.price.centAmount ?? 0),
      taxTotal: m(ct.taxedPrice?.totalTax?.centAmount ?? 0),
      discountTotal: m(0),
      total: m(ct.taxedPrice?.totalGross.centAmount ?? ct.totalPrice.centAmount),
    };
  });
  held.lineItems = data.lineItems.map((i) => ({ ...i, id: lineItemId(i.id), orderId: orderId(i.orderId) }));
  held.returns = data.returns.map((r) => {
    const ct = orders.get(r.orderId)!;
    const info = ct.returnInfo!.find((x) => x.items[0].id === returnId(r.id))!;
    const status = r.status === 'APPROVED' || r.status === 'IN_TRANSIT' ? 'REQUESTED' : r.status;
    return {
      ...r,
      id: returnId(r.id),
      orderId: orderId(r.orderId),
      customerId: customerId(r.customerId),
      status,
      items: r.items.map((i) => ({ ...i, lineItemId: lineItemId(i.lineItemId) })),
      updatedAt: new Date(Math.max(...info.items.map((i) => new Date(i.lastModifiedAt).getTime()))),
    };
  });
  // The other systems' records name orders by the OMS's ids; their own customer ids stay theirs.
  held.payments = held.payments.map((p) => ({ ...p, orderId: orderId(p.orderId) }));
  held.refunds = held.refunds.map((r) => ({ ...r, orderId: orderId(r.orderId), returnId: r.returnId ? returnId(r.returnId) : r.returnId }));
  held.disputes = held.disputes.map((d) => ({ ...d, orderId: orderId(d.orderId) }));
  held.shipments = held.shipments.map((s) => ({ ...s, orderId: orderId(s.orderId), lineItemIds: s.lineItemIds.map(lineItemId) }));
  held.returnLabels = held.returnLabels.map((l) => ({ ...l, orderId: orderId(l.orderId), returnId: returnId(l.returnId) }));
  held.interactions = held.interactions.map((i) => ({ ...i, orderId: i.orderId ? orderId(i.orderId) : i.orderId, lineItemIds: i.lineItemIds.map(lineItemId) }));
  return held;
}

export interface RunningCommercetools {
  url: string;
  projectKey: string;
  clientId: string;
  clientSecret: string;
  /** The fixtures as the project holds them. */
  held: DemoData;
  /** Fixture id → the project's id. */
  ids: HeldIds;
  /** The project's API without the discipline (for tests that change data behind the adapter's back). */
  api: ByProjectKeyRequestBuilder;
  close(): Promise<void>;
}

/** The emulator in its own process with the fixtures loaded through the API, for kits and end-to-end tests. */
export async function startCommercetools(data: DemoData, projectKey = 'customer-context'): Promise<RunningCommercetools> {
  const { url, child } = await startEmulatorProcess();
  const clientId = 'graph-client';
  const clientSecret = 'graph-client-secret';
  try {
    const api = sdkFor(url, projectKey, clientId, clientSecret);
    const { held, ids } = await loadFixtures(api, data);
    return { url, projectKey, clientId, clientSecret, held, ids, api, close: async () => void (await child.stop()) };
  } catch (err) {
    await child.stop();
    throw err;
  }
}
