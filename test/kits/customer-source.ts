import type { CustomerSource } from '../../subgraphs/customers/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { indexBy, itListsByKey, itReadsByKey, newestFirst } from './batch-contract';
import type { SourceUnderTest } from './order-source';

/**
 * The contract any CRM adapter must meet:
 *
 *   describeCustomerSource('sql on PostgreSQL', async (data) => ({ source, close }));
 */
export function describeCustomerSource(name: string, create: (data: DemoData) => Promise<SourceUnderTest<CustomerSource>>): void {
  describe(`CustomerSource contract: ${name}`, () => {
    const data = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: SourceUnderTest<CustomerSource>;
    beforeAll(async () => {
      subject = await create(data);
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;

    itReadsByKey('getCustomers (with addresses)', (ids) => source().getCustomers(ids), () => indexBy(data.customers, (c) => c.id));
    itReadsByKey('getInteractions', (ids) => source().getInteractions(ids), () => indexBy(data.interactions, (i) => i.id));
    const recent = (customerId: string, first: number) =>
      data.interactions.filter((i) => i.customerId === customerId).sort(newestFirst((i) => i.occurredAt)).slice(0, first);
    itListsByKey(
      'listInteractionsByCustomer (first 2)',
      (ids) => source().listInteractionsByCustomer(ids, 2),
      (id) => recent(id, 2),
      () => data.customers.map((c) => c.id),
    );
    itListsByKey(
      'listInteractionsByOrder',
      (ids) => source().listInteractionsByOrder(ids),
      (id) => data.interactions.filter((i) => i.orderId === id).sort(newestFirst((i) => i.occurredAt)),
      () => [...new Set(data.interactions.map((i) => i.orderId!))],
    );
    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
