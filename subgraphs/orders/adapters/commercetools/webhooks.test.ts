import { orderEvents } from '../../cached-source';
import { createCommercetoolsWebhook } from './webhooks';

const token = 'a-long-shared-token-for-the-push-endpoint';
const webhook = createCommercetoolsWebhook({ token, customerIdField: 'externalId' });
const auth = { authorization: `Bearer ${token}` };
const orderId = '8a7b1c3e-0d4f-4a55-9c1e-2f6b7a8c9d01';
const customerId = '5e2d4c1b-3a6f-4b8e-8d7c-1a2b3c4d5e6f';
const message = (type: string, extra: Record<string, unknown> = {}, typeId = 'order', id = orderId) => ({
  notificationType: 'Message', projectKey: 'brand', id: `msg-${type}`, version: 1, sequenceNumber: 3, type,
  resource: { typeId, id }, resourceVersion: 4, createdAt: '2026-11-20T10:00:00.000Z', lastModifiedAt: '2026-11-20T10:00:00.000Z', ...extra,
});
const receive = (body: unknown, headers: Record<string, string> = auth) => webhook.receive(typeof body === 'string' ? body : JSON.stringify(body), headers);

describe('commercetools subscription webhook', () => {
  it('serves at its own path', () => expect(webhook.path).toBe('/webhooks/commercetools'));

  it('refuses a missing or wrong bearer token with 401, before reading the body', async () => {
    await expect(receive(message('OrderCreated'), {})).rejects.toMatchObject({ status: 401 });
    await expect(receive(message('OrderCreated'), { authorization: `Bearer ${token}x` })).rejects.toMatchObject({ status: 401 });
    await expect(receive('not json', { authorization: 'Basic abc' })).rejects.toMatchObject({ status: 401 });
  });

  it('refuses what is not a commercetools payload with 400', async () => {
    await expect(receive('{')).rejects.toMatchObject({ status: 400 });
    await expect(receive({ hello: 'world' })).rejects.toMatchObject({ status: 400 });
    await expect(receive({ message: { data: Buffer.from('{"x":1}').toString('base64') } })).rejects.toMatchObject({ status: 400 });
  });

  it('translates order messages (Platform format) into order.updated with the system customer id where the message has it', async () => {
    const created = await receive(message('OrderCreated', { order: { id: orderId, customerId } }));
    expect(created).toEqual({ id: 'msg-OrderCreated', changes: [{ type: 'order.updated', data: { orderId, customerId } }] });
    for (const type of ['OrderStateChanged', 'OrderShipmentStateChanged', 'OrderPaymentStateChanged']) {
      await expect(receive(message(type, { orderState: 'Complete' }))).resolves.toMatchObject({ changes: [{ type: 'order.updated', data: { orderId } }] });
    }
  });

  it('translates return messages into return.updated (the return id is its first item’s) and the order’s change', async () => {
    const added = await receive(message('ReturnInfoAdded', { returnInfo: { items: [{ id: 'ri-1' }, { id: 'ri-2' }], returnTrackingId: 'RMA-1' } }));
    expect(added.changes).toEqual([{ type: 'return.updated', data: { returnId: 'ri-1', orderId } }, { type: 'order.updated', data: { orderId } }]);
    const shipped = await receive(message('ReturnShipmentStateChanged', { returnItemId: 'ri-1', returnShipmentState: 'Returned' }));
    expect(shipped.changes).toContainEqual({ type: 'return.updated', data: { returnId: 'ri-1', orderId } });
    await expect(receive(message('ReturnPaymentStateChanged', { returnItemId: 'ri-1', paymentState: 'Refunded' }))).resolves.toMatchObject({ changes: expect.arrayContaining([{ type: 'return.updated', data: { returnId: 'ri-1', orderId } }]) });
  });

  it('every change it answers is one the orders subgraph accepts', async () => {
    const { changes } = await receive(message('ReturnInfoAdded', { returnInfo: { items: [{ id: 'ri-1' }] }, order: { customerId } }));
    for (const change of changes) expect(() => orderEvents[change.type as keyof typeof orderEvents].data.parse(change.data)).not.toThrow();
  });

  it('reads CloudEvents (structured), Event Grid batches and Pub/Sub push envelopes', async () => {
    const cloudEvent = { specversion: '1.0', id: 'ce-1', type: 'com.commercetools.order.message.OrderCreated', source: '/brand/orders', data: message('OrderCreated') };
    await expect(receive(cloudEvent)).resolves.toMatchObject({ id: 'ce-1', changes: [{ type: 'order.updated' }] });
    await expect(receive([cloudEvent, { ...cloudEvent, id: 'ce-2' }])).resolves.toMatchObject({ id: 'ce-1,ce-2', changes: [{ type: 'order.updated' }, { type: 'order.updated' }] });
    const pushed = { message: { data: Buffer.from(JSON.stringify(message('OrderShipmentStateChanged'))).toString('base64'), messageId: 'ps-1' }, subscription: 'projects/p/subscriptions/s' };
    await expect(receive(pushed)).resolves.toMatchObject({ id: 'ps-1', changes: [{ type: 'order.updated', data: { orderId } }] });
  });

  it('acknowledges a well-formed message of a type the graph does not use, changing nothing', async () => {
    await expect(receive(message('ProductPublished', {}, 'product', 'p-1'))).resolves.toEqual({ id: 'msg-ProductPublished', changes: [] });
    await expect(receive(message('OrderLineItemDiscountSet'))).resolves.toEqual({ id: 'msg-OrderLineItemDiscountSet', changes: [] });
    await expect(receive({ notificationType: 'ResourceCreated', projectKey: 'brand', resource: { typeId: 'subscription', id: 's-1' }, version: 1 })).resolves.toMatchObject({ changes: [] });
  });

  it('links a customer to the graph’s id from CustomerCreated (externalId)', async () => {
    const created = await receive(message('CustomerCreated', { customer: { id: customerId, externalId: 'cus_000001' } }, 'customer', customerId));
    expect(created).toMatchObject({ changes: [], links: [{ graphCustomerId: 'cus_000001', systemCustomerId: customerId }] });
    const custom = createCommercetoolsWebhook({ token, customerIdField: 'custom.graphId' });
    const viaField = await custom.receive(JSON.stringify(message('CustomerCreated', { customer: { id: customerId, custom: { fields: { graphId: 'cus_000002' } } } }, 'customer', customerId)), auth);
    expect(viaField.links).toEqual([{ graphCustomerId: 'cus_000002', systemCustomerId: customerId }]);
  });
});
