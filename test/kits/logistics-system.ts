import type { CarrierLabel, CarrierShipment, LogisticsSystem, ReturnLabel } from '../../subgraphs/logistics/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst, oldestFirst } from './batch-contract';
import type { SourceUnderTest } from './order-source';

/** The fixtures as a carrier system holds them: what it cannot know (a shipment's order, a label's return) is null. */
export type LogisticsHeld = Omit<DemoData, 'shipments' | 'returnLabels'> & { shipments: CarrierShipment[]; returnLabels: CarrierLabel[] };

/** A carrier system under test: `held` is the fixtures as the system holds them (see order-source.ts). */
export interface LogisticsSystemUnderTest extends Omit<SourceUnderTest<LogisticsSystem>, 'held'> {
  held?: LogisticsHeld;
}

/**
 * The contract any carrier-system adapter (the system-of-record port) must meet:
 *
 *   describeLogisticsSystem('easypost', async (data) => ({ source, close, held }));
 *
 * The factory loads the fixtures into the system through its own API and answers `held`, the same
 * fixtures as the system holds them (its ids, its statuses, null where it cannot know an order or a
 * return); the kit compares against `held` (against the fixtures themselves when there is none).
 */
export function describeLogisticsSystem(name: string, create: (data: DemoData) => Promise<LogisticsSystemUnderTest>): void {
  describe(`LogisticsSystem contract: ${name}`, () => {
    const given = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: LogisticsSystemUnderTest;
    let data: LogisticsHeld = given;
    beforeAll(async () => {
      subject = await create(given);
      data = subject.held ?? given;
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;

    itReadsByKey('getShipments', (ids) => source().getShipments(ids), () => indexBy(data.shipments, (s) => s.id));
    itReadsByKey('getShipmentsByTrackingNumber', (numbers) => source().getShipmentsByTrackingNumber(numbers), () => indexBy(data.shipments, (s) => s.trackingNumber));
    itReadsByKey('getReturnLabels', (ids) => source().getReturnLabels(ids), () => indexBy(data.returnLabels, (l) => l.id));
    // A system that knows no orders (a carrier) answers none: the graph's shipment map does (subgraphs/logistics/source.ts).
    itListsByKey(
      'each order’s shipments (listShipmentsByOrder, where the system knows orders)',
      async (ids) => (source().listShipmentsByOrder ? source().listShipmentsByOrder!(ids) : ids.map(() => [])),
      (id) => (source().listShipmentsByOrder ? data.shipments.filter((s) => s.orderId === id).sort(oldestFirst((s) => s.shippedAt)) : []),
      () => given.orders.map((o) => o.id),
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
      'each return’s labels (listReturnLabelsByReturn, where the system knows returns)',
      async (ids) => (source().listReturnLabelsByReturn ? source().listReturnLabelsByReturn!(ids) : ids.map(() => [])),
      (id) => (source().listReturnLabelsByReturn ? data.returnLabels.filter((l) => l.returnId === id).sort(newestFirst((l) => l.createdAt)) : []),
      () => given.returnLabels.map((l) => l.returnId),
    );

    it('buys a drafted label once, and voids it once', async () => {
      const label: ReturnLabel = {
        id: 'rl_kit', returnId: 'ret_kit', orderId: given.orders[0].id, customerId: given.orders[0].customerId, carrier: 'DHL', trackingNumber: 'RTKIT0001',
        labelUrl: 'https://labels.example.com/RMA-1.pdf', status: 'CREATED', createdAt: new Date('2026-11-20T10:00:00Z'), expiresAt: new Date('2026-12-20T10:00:00Z'),
      };
      const { shippingAddress } = given.orders[0];
      const draft = await source().draftReturnLabel(label, { country: shippingAddress.country, address: shippingAddress });
      expect(draft).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/);
      const bought = await source().buyReturnLabel(draft, label);
      expect(bought).toMatchObject({ id: draft, status: 'CREATED', labelUrl: expect.stringMatching(/^https?:\/\//), trackingNumber: expect.stringMatching(/^[A-Z0-9]+$/) });
      await expect(source().buyReturnLabel(draft, label)).resolves.toEqual(bought);
      await expect(source().getReturnLabels([draft])).resolves.toEqual([bought]);
      await expect(source().voidReturnLabel(draft, new Date())).resolves.toBe(true);
      await expect(source().voidReturnLabel(draft, new Date())).resolves.toBe(false);
      await expect(source().getReturnLabels([draft])).resolves.toEqual([{ ...bought, status: 'VOIDED' }]);
    });

    it('follows a parcel once, however often it is told (where the system needs telling)', async () => {
      const system = source();
      if (!system.followParcels) return;
      const held = data.shipments.find((s) => s.carrier)!;
      const parcel = { carrier: held.carrier!, trackingNumber: held.trackingNumber };
      const [first] = await system.followParcels([parcel]);
      await expect(system.followParcels([parcel, parcel])).resolves.toEqual([first, first]);
      expect(first).toEqual(held);
    });

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
