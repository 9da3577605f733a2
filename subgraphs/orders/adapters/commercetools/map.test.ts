import type { Order as CtOrder, ReturnItem } from '@commercetools/platform-sdk';
import { createLogger } from '../../../shared/logger';
import { orderStatusOf, returnStatusOf } from './map';

const logger = createLogger('test', 'silent');
const order = (orderState: string, shipmentState?: string, paymentState?: string, received = 0) =>
  ({
    orderState,
    shipmentState,
    paymentState,
    lineItems: [{ quantity: 1 }, { quantity: 2 }],
    returnInfo: received ? [{ items: [{ quantity: received, shipmentState: 'Returned', paymentState: 'Initial' }] }] : [],
  }) as unknown as CtOrder;
const item = (shipmentState: string, paymentState = 'Initial', status?: string) =>
  ({ id: 'ri', quantity: 1, shipmentState, paymentState, ...(status ? { custom: { type: { typeId: 'type', id: 't' }, fields: { status } } } : {}) }) as unknown as ReturnItem;

describe('the commercetools status table', () => {
  it.each([
    ['Open', undefined, 'Pending', 'PENDING_PAYMENT'],
    ['Open', 'Pending', 'Failed', 'PENDING_PAYMENT'],
    ['Open', undefined, undefined, 'PROCESSING'],
    ['Confirmed', 'Ready', 'Paid', 'PROCESSING'],
    ['Confirmed', 'Pending', 'BalanceDue', 'PROCESSING'],
    ['Confirmed', 'Delayed', 'Paid', 'PROCESSING'],
    ['Confirmed', 'Backorder', 'CreditOwed', 'PROCESSING'],
    ['Confirmed', 'Partial', 'Paid', 'PARTIALLY_SHIPPED'],
    ['Confirmed', 'Shipped', 'Paid', 'SHIPPED'],
    ['Complete', 'Delivered', 'Paid', 'DELIVERED'],
    ['Complete', 'Delivered', 'BalanceDue', 'DELIVERED'],
    ['Complete', undefined, 'Paid', 'DELIVERED'],
    ['Cancelled', 'Shipped', 'Paid', 'CANCELLED'],
    ['Confirmed', 'Canceled', undefined, 'CANCELLED'],
  ])('orderState %s × shipmentState %s × paymentState %s → %s', (orderState, shipmentState, paymentState, status) => {
    expect(orderStatusOf(order(orderState, shipmentState, paymentState), logger)).toBe(status);
  });

  it('counts only returns received back: some units → PARTIALLY_RETURNED, every unit → RETURNED', () => {
    expect(orderStatusOf(order('Complete', 'Delivered', 'Paid', 1), logger)).toBe('PARTIALLY_RETURNED');
    expect(orderStatusOf(order('Complete', 'Delivered', 'Paid', 3), logger)).toBe('RETURNED');
  });

  it('keeps an order in an unknown state as PROCESSING (no delivery, no return window) and logs the vendor text once', () => {
    const warn = jest.fn();
    const spy = { ...logger, warn } as unknown as typeof logger;
    expect(orderStatusOf(order('Confirmed', 'HeldAtCustoms', 'Paid'), spy)).toBe('PROCESSING');
    expect(orderStatusOf(order('Confirmed', 'HeldAtCustoms', 'Paid'), spy)).toBe('PROCESSING');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ field: 'shipmentState', value: 'HeldAtCustoms', mappedTo: 'PROCESSING' });
    expect(orderStatusOf(order('Archived', 'Delivered', 'Overpaid'), spy)).toBe('DELIVERED');
  });

  it.each([
    [[item('Advised')], 'REQUESTED'],
    [[item('Returned')], 'RECEIVED'],
    [[item('BackInStock')], 'RECEIVED'],
    [[item('Unusable', 'NonRefundable')], 'RECEIVED'],
    [[item('Returned', 'Refunded')], 'REFUNDED'],
    [[item('Returned', 'NotRefunded')], 'REJECTED'],
    [[item('Advised', 'Initial', 'CANCELLED')], 'CANCELLED'],
    [[item('Returned', 'Refunded'), item('Advised')], 'REQUESTED'],
    [[item('Returned', 'Refunded'), item('Returned', 'NotRefunded')], 'REFUNDED'],
    [[item('InspectionPending')], 'REQUESTED'],
  ])('return items %j → %s', (items, status) => {
    expect(returnStatusOf(items as ReturnItem[], logger)).toBe(status);
  });
});
