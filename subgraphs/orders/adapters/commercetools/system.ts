import { randomInt } from 'node:crypto';
import type { Customer as CtCustomer, CustomerUpdateAction, Order as CtOrder, OrderUpdateAction, ReturnInfo } from '@commercetools/platform-sdk';
import { byKey, distinct, groupByKey } from '../../../shared/batch';
import { AppError, ErrorCode } from '../../../shared/errors';
import type { Logger } from '../../../shared/logger';
import { soleOwners, type CustomerLinks } from '../../../shared/identity';
import type { LineItem, NewReturn, OrderDetails, OrderSystem, Return } from '../../port';
import type { CommercetoolsClient } from './client';
import { ABANDONED, parseFieldPath, RETURN_ITEM_FIELDS, requestKeyOf, returnIdOf, toLineItem, toOrder, toReturn, type FieldPath, type MapOptions } from './map';

export interface CommercetoolsSystemOptions {
  /** Where the brand keeps the graph's customer id on a commercetools Customer: `externalId` or `custom.<field>`. */
  customerIdField: string;
  /** The key of the Type on return items that holds requestKey, reason and status (see returnItemTypeDraft). */
  returnItemType: string;
  map: Omit<MapOptions, 'logger'>;
  logger: Logger;
}

/** Keys per query: a `where` of 100 UUIDs stays well inside the URL length the API accepts. */
const KEYS_PER_QUERY = 100;
/** Re-reads after a 409 ConcurrentModification before createReturn gives up with CONFLICT. */
const MAX_WRITE_ATTEMPTS = 4;

/** A value quoted for a query predicate. */
const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const inList = (values: readonly string[]) => `(${values.map(quote).join(', ')})`;
const slices = <T>(values: readonly T[]) => Array.from({ length: Math.ceil(values.length / KEYS_PER_QUERY) }, (_, i) => values.slice(i * KEYS_PER_QUERY, (i + 1) * KEYS_PER_QUERY));

/** Newest first by a time, ties by id descending: how every "recent" list of the port is ordered. */
const newestFirst = <V extends { id: string }>(at: (v: V) => Date) => (a: V, b: V) =>
  at(b).getTime() - at(a).getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

export type CommercetoolsOrderSystem = OrderSystem & Required<Pick<CustomerLinks, 'systemCustomerIds' | 'graphCustomerIds'>>;

export function createCommercetoolsSystem(client: CommercetoolsClient, options: CommercetoolsSystemOptions): CommercetoolsOrderSystem {
  const mapOptions: MapOptions = { ...options.map, logger: options.logger };
  const customerField = parseFieldPath(options.customerIdField);
  const customerOf = (o: CtOrder) => o.customerId ?? '';
  const order = (o: CtOrder) => toOrder(o, customerOf(o), mapOptions);
  const lineItems = (o: CtOrder): LineItem[] => o.lineItems.map((item, i) => toLineItem(item, i + 1, o, mapOptions));
  const returns = (o: CtOrder): Return[] =>
    (o.returnInfo ?? []).filter((info) => info.items.length > 0).map((info) => toReturn(info, o, customerOf(o), mapOptions)).sort(newestFirst((r) => r.createdAt));

  /** Every order matching `where` (one query per slice of keys, every page). */
  async function queryOrders(op: string, where: (keys: string[]) => string, keys: readonly string[]): Promise<CtOrder[]> {
    const wanted = distinct(keys);
    if (wanted.length === 0) return [];
    const pages = await Promise.all(
      slices(wanted).map((slice) =>
        client.readAll<CtOrder>(op, (api, page) => api.orders().get({ queryArgs: { where: where(slice), sort: ['createdAt desc', 'id desc'], withTotal: false, ...page } })),
      ),
    );
    return pages.flat();
  }
  const ordersById = (ids: readonly string[]) => queryOrders('orders.byId', (s) => `id in ${inList(s)}`, ids);
  const ordersByCustomer = (ids: readonly string[]) => queryOrders('orders.byCustomer', (s) => `customerId in ${inList(s)}`, ids);

  async function recentByCustomer(customerIds: readonly string[], first: number): Promise<CtOrder[][]> {
    if (customerIds.length === 0) return [];
    if (first <= 0) return customerIds.map(() => []);
    const found = await ordersByCustomer(customerIds);
    const placed = new Map(found.map((o) => [o.id, order(o).placedAt]));
    return groupByKey(customerIds, found, customerOf).map((list) => [...list].sort(newestFirst((o) => placed.get(o.id)!)).slice(0, first));
  }

  async function readOrder(orderId: string): Promise<CtOrder> {
    const [found] = await ordersById([orderId]);
    if (!found) throw new AppError(ErrorCode.NOT_FOUND, 'No order with this id', { service: 'orders' });
    return found;
  }

  /** Applies actions at the order's version; after a 409 re-reads and asks `plan` again (null: nothing left to do). */
  async function updateOrder(op: string, orderId: string, plan: (o: CtOrder) => OrderUpdateAction[] | null): Promise<CtOrder> {
    let current = await readOrder(orderId);
    for (let attempt = 1; ; attempt++) {
      const actions = plan(current);
      if (!actions) return current;
      try {
        const version = current.version;
        return await client.write<CtOrder>(op, (api) => api.orders().withId({ ID: orderId }).post({ body: { version, actions } }));
      } catch (err) {
        if (!(err instanceof AppError && err.code === ErrorCode.CONFLICT) || attempt >= MAX_WRITE_ATTEMPTS) throw err;
        current = await readOrder(orderId);
      }
    }
  }

  /**
   * The customer record anonymised: email, names, birth date, company, every address. externalId
   * (or the configured field) stays: it is the graph's opaque id, not personal data, and it is
   * what a repeated erasure and the identity map find the customer by. Null when no such customer.
   */
  async function eraseCustomerRecord(customerId: string): Promise<CtCustomer | null> {
    const read = () => client.read<CtCustomer>('customers.get', (api) => api.customers().withId({ ID: customerId }).get()).catch((err) => (err instanceof AppError && err.code === ErrorCode.NOT_FOUND ? null : Promise.reject(err)));
    for (let attempt = 1, current = await read(); current; attempt++) {
      const actions: CustomerUpdateAction[] = [
        ...(current.email !== `erased-${customerId}@erased.invalid` ? [{ action: 'changeEmail' as const, email: `erased-${customerId}@erased.invalid` }] : []),
        ...(current.firstName ? [{ action: 'setFirstName' as const }] : []),
        ...(current.lastName ? [{ action: 'setLastName' as const }] : []),
        ...(current.middleName ? [{ action: 'setMiddleName' as const }] : []),
        ...(current.dateOfBirth ? [{ action: 'setDateOfBirth' as const }] : []),
        ...(current.companyName ? [{ action: 'setCompanyName' as const }] : []),
        ...current.addresses.flatMap((a) => (a.id ? [{ action: 'removeAddress' as const, addressId: a.id }] : [])),
      ];
      if (actions.length === 0) return current;
      try {
        const version = current.version;
        return await client.write<CtCustomer>('customers.erase', (api) => api.customers().withId({ ID: customerId }).post({ body: { version, actions } }));
      } catch (err) {
        if (!(err instanceof AppError && err.code === ErrorCode.CONFLICT) || attempt >= MAX_WRITE_ATTEMPTS) throw err;
        current = await read();
      }
    }
    return null;
  }

  const liveWithKey = (o: CtOrder, requestKey: string): ReturnInfo | undefined =>
    (o.returnInfo ?? []).find((info) => requestKeyOf(info) === requestKey && !info.items.every((i) => i.custom?.fields?.[RETURN_ITEM_FIELDS.status] === ABANDONED));

  async function customersWhere(op: string, where: (keys: string[]) => string, keys: readonly string[]): Promise<CtCustomer[]> {
    const wanted = distinct(keys);
    if (wanted.length === 0) return [];
    const pages = await Promise.all(
      slices(wanted).map((slice) => client.readAll<CtCustomer>(op, (api, page) => api.customers().get({ queryArgs: { where: where(slice), withTotal: false, ...page } }))),
    );
    return pages.flat();
  }
  const graphIdOf = (c: CtCustomer): string | null => {
    const value = customerField.kind === 'custom' ? c.custom?.fields?.[customerField.name] : (c as unknown as Record<string, unknown>)[customerField.name];
    return typeof value === 'string' && value ? value : null;
  };
  const graphIdPredicate = (field: FieldPath, keys: string[]) =>
    field.kind === 'custom' ? `custom(fields(${field.name} in ${inList(keys)}))` : `${field.name} in ${inList(keys)}`;

  return {
    async getOrders(ids) {
      return byKey(ids, (await ordersById(ids)).map(order), (o) => o.id);
    },
    async getOrdersByNumber(numbers) {
      const found = await queryOrders('orders.byNumber', (s) => `orderNumber in ${inList(s)}`, numbers);
      return byKey(numbers, found.map(order), (o) => o.number);
    },
    async listOrdersByCustomer(customerIds, first) {
      return (await recentByCustomer(customerIds, first)).map((list) => list.map(order));
    },
    async listOrderDetailsByCustomer(customerIds, first) {
      // Line items and returns are embedded in the order: the details cost no call of their own.
      return (await recentByCustomer(customerIds, first)).map((list) => list.map((o): OrderDetails => ({ orderId: o.id, lineItems: lineItems(o), returns: returns(o) })));
    },
    async getLineItems(ids) {
      const found = await queryOrders('orders.byLineItem', (s) => `lineItems(id in ${inList(s)})`, ids);
      return byKey(ids, found.flatMap(lineItems), (i) => i.id);
    },
    async listLineItemsByOrder(orderIds) {
      return groupByKey(orderIds, (await ordersById(orderIds)).flatMap(lineItems), (i) => i.orderId);
    },
    async getReturns(ids) {
      const found = await queryOrders('orders.byReturnItem', (s) => `returnInfo(items(id in ${inList(s)}))`, ids);
      return byKey(ids, found.flatMap(returns), (r) => r.id);
    },
    async listReturnsByOrder(orderIds) {
      return groupByKey(orderIds, (await ordersById(orderIds)).flatMap(returns), (r) => r.orderId);
    },
    async listReturnsByCustomer(customerIds, first) {
      if (customerIds.length === 0) return [];
      if (first <= 0) return customerIds.map(() => []);
      const found = await ordersByCustomer(customerIds);
      return groupByKey(customerIds, found.flatMap(returns), (r) => r.customerId).map((list) => list.sort(newestFirst((r) => r.createdAt)).slice(0, first));
    },
    async countOrdersPlaced(from, to) {
      const range = (field: string) => `${field} >= ${quote(from.toISOString())} and ${field} < ${quote(to.toISOString())}`;
      const where = `(${range('completedAt')}) or (completedAt is not defined and ${range('createdAt')})`;
      const body = await client.read<{ total?: number }>('orders.count', (api) => api.orders().get({ queryArgs: { where, limit: 1, withTotal: true } }));
      return body.total ?? 0;
    },

    async createReturn(input: NewReturn, requestKey: string, check: (existing: Return[]) => void): Promise<Return> {
      const rma = `RMA-${randomInt(10_000_000, 99_999_999)}`;
      const custom = (reason: string) => ({ type: { typeId: 'type' as const, key: options.returnItemType }, fields: { [RETURN_ITEM_FIELDS.requestKey]: requestKey, [RETURN_ITEM_FIELDS.reason]: reason } });
      const updated = await updateOrder('orders.addReturnInfo', input.orderId, (o) => {
        // A write whose answer was lost is not made again: the key is on the order already.
        if (liveWithKey(o, requestKey)) return null;
        check(returns(o));
        return [{
          action: 'addReturnInfo',
          returnTrackingId: rma,
          returnDate: new Date().toISOString(),
          items: input.items.map((item) => ({ lineItemId: item.lineItemId, quantity: item.quantity, shipmentState: 'Advised', custom: custom(item.reason) })),
        }];
      });
      const info = liveWithKey(updated, requestKey);
      if (!info) throw new AppError(ErrorCode.BACKEND_UNAVAILABLE, 'The orders backend did not keep the return', { service: 'orders', retryable: true });
      return toReturn(info, updated, customerOf(updated), mapOptions);
    },
    async findReturnByRequestKey(orderId, requestKey) {
      const [found] = await ordersById([orderId]);
      const info = found && liveWithKey(found, requestKey);
      return info ? toReturn(info, found, customerOf(found), mapOptions) : null;
    },
    async abandonReturn(ret) {
      // The API cannot remove one ReturnInfo (setReturnInfo rewrites them all, with new item ids and
      // payment states), so an abandoned return is cancelled: its items' status field says so.
      await updateOrder('orders.abandonReturn', ret.orderId, (o) => {
        const info = (o.returnInfo ?? []).find((i) => returnIdOf(i) === ret.id);
        const open = info?.items.filter((i) => i.custom?.fields?.[RETURN_ITEM_FIELDS.status] !== ABANDONED) ?? [];
        if (open.length === 0) return null;
        return open.map((i) => ({ action: 'setReturnItemCustomField', returnItemId: i.id, name: RETURN_ITEM_FIELDS.status, value: ABANDONED }));
      });
    },

    async exportCustomer(customerId) {
      const found = (await ordersByCustomer([customerId])).sort(newestFirst((o) => order(o).placedAt)).reverse();
      return {
        orderIds: found.map((o) => o.id),
        data: { orders: found.map(order), lineItems: found.flatMap(lineItems), returns: found.flatMap(returns) },
      };
    },
    async eraseCustomer(customerId, at) {
      const found = await ordersByCustomer([customerId]);
      const erased = { firstName: 'Erased', lastName: '', streetName: '—', streetNumber: '', city: '—', postalCode: '—' };
      const erasedAtField = options.map.erasedAtField;
      for (const o of found) {
        await updateOrder('orders.erase', o.id, (current) => [
          { action: 'setShippingAddress', address: { ...erased, country: current.shippingAddress?.country ?? current.country ?? 'DE' } },
          ...(current.billingAddress ? [{ action: 'setBillingAddress' as const, address: { ...erased, country: current.billingAddress.country } }] : []),
          ...(current.customerEmail ? [{ action: 'setCustomerEmail' as const }] : []),
          ...(erasedAtField.kind === 'custom' && current.custom ? [{ action: 'setCustomField' as const, name: erasedAtField.name, value: at.toISOString() }] : []),
        ]);
      }
      const customer = await eraseCustomerRecord(customerId);
      return { records: found.length + (customer ? 1 : 0), orderIds: found.map((o) => o.id) };
    },
    privacy: {
      export: { system: 'commercetools', action: 'EXPORTED', detail: 'The customer\'s commercetools orders with their line items and returns' },
      erasure: {
        system: 'commercetools',
        action: 'PSEUDONYMIZED',
        detail: 'Orders\' addresses and emails and the customer record (email, names, addresses) anonymised; amounts and items kept; externalId kept (the graph\'s opaque id, no personal data)',
      },
    },
    async ping() {
      await client.read('orders.ping', (api) => api.orders().get({ queryArgs: { limit: 1, withTotal: false } }));
    },

    async systemCustomerIds(graphIds) {
      const found = await customersWhere('customers.byGraphId', (s) => graphIdPredicate(customerField, s), graphIds);
      const byGraphId = new Map<string, string>();
      // The oldest customer carrying the id wins, should a brand have duplicates.
      for (const c of [...found].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
        const graphId = graphIdOf(c);
        if (graphId && !byGraphId.has(graphId)) byGraphId.set(graphId, c.id);
      }
      return graphIds.map((id) => byGraphId.get(id) ?? null);
    },
    async graphCustomerIds(systemIds) {
      const found = await customersWhere('customers.byId', (s) => `id in ${inList(s)}`, systemIds);
      return byKey(systemIds, found, (c) => c.id).map((c) => (c ? graphIdOf(c) : null));
    },
    async systemCustomerIdsByEmail(emails) {
      // commercetools keeps every email in lower case beside the one given; store-scoped customers may share one.
      const found = await customersWhere('customers.byEmail', (s) => `lowercaseEmail in ${inList(s)}`, emails.map((e) => e.toLowerCase()));
      const owners = soleOwners(found, (c) => c.email, (c) => c.id);
      return emails.map((e) => owners.get(e.toLowerCase()) ?? null);
    },
  };
}
