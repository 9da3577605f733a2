import type { CustomerSystem } from '../../subgraphs/customers/port';
import { generateDemoData, type DemoData } from '../fixtures/demo-data';
import { FIXTURE_ANCHOR } from '../helpers/stack';
import { itLinksCustomers, indexBy, itReadsByKey, MISSING_KEY } from './batch-contract';
import type { SystemUnderTest } from './payment-source';

/**
 * The contract any CRM adapter (the system-of-record port: profiles and addresses) must meet:
 *
 *   describeCustomerSystem('hubspot', async (data) => ({ source, close, held, customerLinks }));
 *
 * The factory loads the fixtures' customers into the CRM through its own API and answers `held`,
 * the same fixtures as the CRM holds them (its customer ids, what it stamps); the kit compares
 * against `held` (against the fixtures themselves when there is none). Interactions, handoffs,
 * verification and audit are the graph's own records (subgraphs/customers/records), not the CRM's.
 */
export function describeCustomerSystem(name: string, create: (data: DemoData) => Promise<SystemUnderTest<CustomerSystem>>): void {
  describe(`CustomerSystem contract: ${name}`, () => {
    const given = generateDemoData({ customers: 24, anchor: FIXTURE_ANCHOR });
    let subject: SystemUnderTest<CustomerSystem>;
    // Every expectation reads the fixtures as the system holds them.
    let data = given;
    beforeAll(async () => {
      subject = await create(given);
      data = subject.held ?? given;
    });
    afterAll(() => subject?.close());
    const source = () => subject.source;
    // The last customer is erased below; no other test reads them.
    const erased = () => data.customers[data.customers.length - 1];
    const readable = () => data.customers.slice(0, -1);

    itReadsByKey('getCustomers (with addresses)', (ids) => source().getCustomers(ids), () => indexBy(readable(), (c) => c.id));

    it('finds customers by email in any case and by E.164 phone, several sharing one where they do', async () => {
      const c = readable().find((x) => x.phone)!;
      const byEmail = readable().filter((x) => x.email.toLowerCase() === c.email.toLowerCase());
      await expect(source().findCustomersByEmail([c.email.toUpperCase(), 'nobody@example.org', c.email])).resolves.toEqual([
        expect.arrayContaining(byEmail), [], expect.arrayContaining(byEmail),
      ]);
      await expect(source().findCustomersByPhone([c.phone!, '+4400000000000'])).resolves.toEqual([readable().filter((x) => x.phone === c.phone), []]);
      await expect(source().findCustomersByEmail([])).resolves.toEqual([]);
      await expect(source().findCustomersByPhone([])).resolves.toEqual([]);
    });

    it('exports the profile it holds, null for a customer it does not know', async () => {
      const c = readable()[2];
      const profile = await source().exportCustomer(c.id);
      expect(profile).not.toBeNull();
      // Plain data, whatever the CRM's shape: the person's details are in it.
      expect(JSON.stringify(profile)).toContain(c.email);
      await expect(source().exportCustomer(MISSING_KEY)).resolves.toBeNull();
    });

    it('erases the profile: neither it nor its addresses tell who the person was, and a repeat is harmless', async () => {
      const c = erased();
      const changed = await source().eraseCustomer(c.id, new Date('2026-11-25T10:00:00Z'));
      expect(changed).toBeGreaterThanOrEqual(1);
      const [after] = await source().getCustomers([c.id]);
      // Pseudonymized in place, or deleted where the CRM's erasure deletes.
      if (after) {
        const personal = [c.firstName, c.lastName, c.email, c.phone, c.dateOfBirth, ...c.addresses.flatMap((a) => [a.line1, a.postalCode])].filter(Boolean);
        const text = JSON.stringify(after);
        for (const value of personal) expect(text).not.toContain(value);
      }
      await expect(source().findCustomersByEmail([c.email])).resolves.toEqual([[]]);
      await expect(source().eraseCustomer(MISSING_KEY, new Date())).resolves.toBeNull();
    });

    itLinksCustomers(source, () => subject.customerLinks);

    it('answers ping while the backend is up', async () => {
      await expect(source().ping()).resolves.toBeUndefined();
    });
  });
}
