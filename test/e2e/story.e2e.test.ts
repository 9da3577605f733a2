import { ORDER_SCENARIOS } from '../fixtures/demo-data';
import { startTestStack, type TestStack } from '../helpers/stack';

/**
 * The story the data layer exists for: a customer fails at self-service in the portal, phones,
 * and never has to explain again.
 */
describe('portal → voice: one conversation across channels', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
  });
  afterAll(() => t?.close());

  it('carries the failed portal return into the voice agent’s first context, then through accept and resolve', async () => {
    // The customer whose latest order holds two items, the second bought on final sale.
    const index = ORDER_SCENARIOS.indexOf('delivered_final_sale');
    const customer = t.data.customers[index];
    const order = t.data.orders.find((o) => o.customerId === customer.id && o.id.endsWith('_1'))!;
    const items = t.data.lineItems.filter((i) => i.orderId === order.id);
    expect(items.map((i) => i.finalSale)).toEqual([false, true]);

    // 1. Portal (signed in as the customer): the two-item return is refused for the final-sale item, and nothing is created.
    const portal = await t.asCustomer(customer.id);
    const eligibility = await t.operation('ReturnEligibility', { orderId: order.id }, portal);
    expect(eligibility.body.data.order.returnEligibility.map((e: any) => e.reason)).toEqual(['ELIGIBLE', 'FINAL_SALE']);
    const attempt = await t.operation('InitiateReturn', {
      input: {
        orderId: order.id,
        idempotencyKey: `portal-return-${order.id}`,
        items: items.map((i) => ({ lineItemId: i.id, quantity: i.quantity, reason: 'DOES_NOT_FIT' })),
      },
    }, portal);
    expect(attempt.body.errors).toBeUndefined();
    expect(attempt.body.data.initiateReturn).toMatchObject({ status: 'REFUSED', return: null, refusals: [{ lineItem: { id: items[1].id }, reason: 'FINAL_SALE' }] });
    const returnsAfter = await t.stack.database.db.selectFrom('oms.returns').select('id').where('orderId', '=', order.id).execute();
    expect(returnsAfter).toEqual([]);

    // 2. Portal: records what the customer tried and escalates to voice.
    const stepsTried = ['opened order page', 'selected 2 items for return', 'return refused: one item is final sale'];
    const escalation = await t.operation('Escalate', {
      input: {
        customerId: customer.id,
        fromChannel: 'PORTAL',
        toChannel: 'VOICE',
        intent: 'RETURN',
        orderId: order.id,
        lineItemIds: items.map((i) => i.id),
        stepsTried,
        failureReason: 'The portal cannot return a final-sale item',
        sentiment: 'NEGATIVE',
        summary: 'Wants to return both items; one is final sale',
        idempotencyKey: `portal-escalate-${order.id}`,
      },
    }, portal);
    expect(escalation.body.errors).toBeUndefined();
    const handoffId = escalation.body.data.escalate.id;
    expect(escalation.body.data.escalate).toMatchObject({ status: 'OPEN', fromChannel: 'PORTAL', toChannel: 'VOICE' });

    // 3. Voice: the caller gives the order number, loosely spoken; the agent sees only what it may say.
    const spoken = `#${order.number.toLowerCase().replace('-', ' ')}`;
    const voiceBot = await t.asAgent('VOICE', { agentId: 'voice-bot' });
    const identified = await t.operation('IdentifyByOrderNumber', { orderNumber: spoken, locale: customer.locale }, voiceBot);
    expect(identified.body.errors).toBeUndefined();
    expect(identified.body.data.identifyByOrderNumber).toEqual([
      {
        caller: expect.objectContaining({ id: customer.id, firstName: customer.firstName, maskedEmail: expect.stringMatching(/^.•••@example\.com$/) }),
        order: expect.objectContaining({ number: order.number, status: 'DELIVERED' }),
        identification: expect.any(String),
      },
    ]);

    // 4. Voice: verified with the postal code of the shipping address.
    const verified = await t.operation('VerifyCaller', {
      input: { callerId: customer.id, identification: identified.body.data.identifyByOrderNumber[0].identification, channel: 'VOICE', method: 'POSTAL_CODE', answer: ` ${customer.addresses[0].postalCode.toLowerCase()} ` },
    }, voiceBot);
    expect(verified.body.data.verifyCaller).toMatchObject({ status: 'VERIFIED', session: { channel: 'VOICE' } });
    // From here on the bot sends the session with every request of the call.
    const inCall = await t.asAgent('VOICE', { agentId: 'voice-bot', session: verified.body.data.verifyCaller.session.token });

    // 5. Voice: the first context already holds the order, both items, what was tried, why it failed, the open handoff.
    const context = await t.operation('CustomerContext', { locale: customer.locale }, inCall);
    expect(context.body.errors).toBeUndefined();
    const me = context.body.data.verifiedCustomer;
    const contextOrder = me.activeOrders.find((o: any) => o.number === order.number);
    expect(contextOrder.lineItems.map((i: any) => [i.id, i.finalSale])).toEqual(items.map((i) => [i.id, i.finalSale]));
    expect(me.openHandoffs).toHaveLength(1);
    expect(me.openHandoffs[0]).toMatchObject({
      id: handoffId,
      status: 'OPEN',
      fromChannel: 'PORTAL',
      toChannel: 'VOICE',
      stepsTried,
      failureReason: 'The portal cannot return a final-sale item',
      order: { number: order.number },
    });
    expect(me.openHandoffs[0].lineItems.map((i: any) => i.id)).toEqual(items.map((i) => i.id));
    expect(me.interactions[0]).toMatchObject({ channel: 'PORTAL', intent: 'RETURN', outcome: 'ESCALATED', stepsTried });
    expect(me.brief).toContain(order.number);
    expect(me.brief).toContain('The portal cannot return a final-sale item');

    // 6. Voice: the agent takes the handoff and resolves it; the next context shows none open.
    const accepted = await t.operation('AcceptHandoff', { input: { handoffId, agentId: 'voice-bot', channel: 'VOICE' } }, inCall);
    expect(accepted.body.data.acceptHandoff).toMatchObject({ status: 'ACCEPTED', acceptedBy: 'voice-bot', stepsTried });
    const resolved = await t.operation('ResolveHandoff', {
      input: { handoffId, agentId: 'voice-bot', channel: 'VOICE', outcome: 'RESOLVED', summary: 'Returned the eligible item; explained final sale', idempotencyKey: `resolve-${handoffId}` },
    }, inCall);
    expect(resolved.body.data.resolveHandoff).toMatchObject({ status: 'RESOLVED', resolution: 'RESOLVED' });
    const after = await t.operation('CustomerContext', {}, inCall);
    expect(after.body.data.verifiedCustomer.openHandoffs).toEqual([]);
    expect(after.body.data.verifiedCustomer.interactions[0]).toMatchObject({ channel: 'VOICE', outcome: 'RESOLVED' });
  });
});
