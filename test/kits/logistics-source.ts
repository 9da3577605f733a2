import type { LogisticsSource } from '../../subgraphs/logistics/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst, oldestFirst } from './batch-contract';
import type { SourceUnderTest } from './order-source';

/**
 * The contract any carrier-integration adapter must meet:
 *
 *   describeLogisticsSource('sql on PostgreSQL', async (data) => ({ source, close }));
 */
export function describeLogisticsSource(name: string, create: (data: DemoData) => Promise<SourceUnderTest<LogisticsSource>>): void {
  describe(`LogisticsSource contract: ${name}`, () => {
    const data = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: SourceUnderTest<LogisticsSource>;
    beforeAll(async () => {
      subject = await create(data);
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;

    itReadsByKey('getShipments', (ids) => source().getShipments(ids), () => indexBy(data.shipments, (s) => s.id));
    itReadsByKey(
      'getShipmentsByTrackingNumber',
      (numbers) => source().getShipmentsByTrackingNumber(numbers),
      () => indexBy(data.shipments, (s) => s.trackingNumber),
    );
    itReadsByKey('getReturnLabels', (ids) => source().getReturnLabels(ids), () => indexBy(data.returnLabels, (l) => l.id));
    itListsByKey(
      'listShipmentsByOrder',
      (ids) => source().listShipmentsByOrder(ids),
      (id) => data.shipments.filter((s) => s.orderId === id).sort(oldestFirst((s) => s.shippedAt)),
      () => data.orders.map((o) => o.id),
    );
    itListsByKey(
      'listTrackingEvents',
      (ids) => source().listTrackingEvents(ids),
      // Events are stored in the order they happened; newest first is the reverse of that.
      (id) => data.trackingEvents.filter((e) => e.shipmentId === id).map((e, i) => ({ e, i }))
        .sort((a, b) => b.e.occurredAt.getTime() - a.e.occurredAt.getTime() || b.i - a.i).map(({ e }) => e),
      () => data.shipments.map((s) => s.id),
    );
    itListsByKey(
      'listReturnLabelsByReturn',
      (ids) => source().listReturnLabelsByReturn(ids),
      (id) => data.returnLabels.filter((l) => l.returnId === id).sort(newestFirst((l) => l.createdAt)),
      () => data.returnLabels.map((l) => l.returnId),
    );
    it('keeps one label per return, and voids it once', async () => {
      const label = {
        id: 'rl_kit', returnId: 'ret_kit', orderId: data.orders[0].id, customerId: data.orders[0].customerId, carrier: 'DHL' as const, trackingNumber: 'RTKIT0001',
        labelUrl: 'https://labels.example.com/RMA-1.pdf', status: 'CREATED' as const, createdAt: new Date('2026-11-20T10:00:00Z'), expiresAt: new Date('2026-12-20T10:00:00Z'),
      };
      await expect(source().createReturnLabel(label)).resolves.toEqual(label);
      await expect(source().createReturnLabel({ ...label, id: 'rl_kit_2', trackingNumber: 'RTKIT0002' })).resolves.toEqual(label);
      await expect(source().voidReturnLabel('ret_kit', new Date())).resolves.toBe(true);
      await expect(source().voidReturnLabel('ret_kit', new Date())).resolves.toBe(false);
      await expect(source().listReturnLabelsByReturn(['ret_kit'])).resolves.toEqual([[{ ...label, status: 'VOIDED' }]]);
    });

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
