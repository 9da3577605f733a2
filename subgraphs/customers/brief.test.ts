import { BRIEF_MAX_LENGTH, renderBrief, type BriefInput, type BriefOrder } from './brief';
import type { Customer, Handoff, Interaction } from './port';

const customer = (locale: string, language: string, tier: Customer['loyaltyTier'] = 'GOLD') =>
  ({ id: 'cus_1', firstName: 'Lena', lastName: 'Fischer', locale, preferredLanguage: language, loyaltyTier: tier }) as Customer;
const order = (n: number, overrides: Partial<BriefOrder> = {}): BriefOrder => ({
  number: `NW-10000${n}`,
  status: 'SHIPPED',
  placedAt: '2026-11-10T10:00:00.000Z',
  total: { amountMinor: 12999, currency: 'EUR' },
  lineItems: [{ title: 'Trail Runner Pro', quantity: 1 }],
  shipments: [{ status: 'EXCEPTION', carrierName: 'DHL', estimatedDeliveryAt: '2026-11-24T00:00:00.000Z', exception: { kind: 'LOST' } }],
  returns: [],
  refunds: [{ status: 'PENDING', amount: { amountMinor: 4999, currency: 'EUR' }, expectedBy: '2026-11-25T00:00:00.000Z' }],
  disputes: [],
  ...overrides,
});
const input = (overrides: Partial<BriefInput> = {}): BriefInput => ({
  customer: customer('de-DE', 'de'),
  activeOrders: [order(1)],
  openBalances: [],
  interactions: [],
  openHandoffs: [],
  ...overrides,
});

describe('the brief', () => {
  it('says what matters in the customer’s language, with local money and dates', () => {
    const brief = renderBrief(input());
    expect(brief).toContain('Lena Fischer, Treuestufe Gold, spricht Deutsch.');
    expect(brief).toContain('Bestellung NW-100001 vom 10.11.2026, 129,99\u00a0€: Versandt.');
    expect(brief).toContain('Paket DHL: Zustellproblem – Das Paket ist verloren gegangen.');
    expect(brief).toContain('Erstattung 49,99\u00a0€: Erstattung ausstehend, erwartet bis 25.11.2026.');
    expect(renderBrief(input({ customer: customer('fr-FR', 'fr') }))).toContain('Le colis est perdu');
    expect(renderBrief(input({ customer: customer('es-ES', 'es') }))).toContain('El paquete se ha perdido');
    expect(renderBrief(input({ customer: customer('en-US', 'en', 'NONE') }))).toMatch(/^Lena Fischer, speaks English\./);
  });

  it('is the same text for the same data', () => {
    expect(renderBrief(input())).toBe(renderBrief(input()));
  });

  const handoff = (id: string, overrides: Partial<Handoff> = {}) =>
    ({ id, fromChannel: 'PORTAL', createdAt: new Date('2026-11-20T09:00:00Z'), status: 'OPEN', intent: 'RETURN', failureReason: 'final sale', stepsTried: ['opened order'], summary: 'wants a refund', ...overrides }) as Handoff;

  it('puts an open handoff right after the customer, named by its id', () => {
    const lines = renderBrief(input({ customer: customer('en-GB', 'en'), openHandoffs: [handoff('ho_1')] })).split('\n');
    expect(lines[1]).toBe('OPEN HANDOFF ho_1 from portal (20 Nov 2026, waiting), return: final sale. Tried: opened order. Summary: wants a refund');
  });

  it('names every open handoff, and still has room for the orders', () => {
    const long = 'y'.repeat(500);
    const handoffs = Array.from({ length: 5 }, (_, i) => handoff(`ho_${i}`, { failureReason: long, summary: long, stepsTried: [long], status: i === 0 ? 'ACCEPTED' : 'OPEN' }));
    const brief = renderBrief(input({ customer: customer('en-GB', 'en'), openHandoffs: handoffs }));
    for (const h of handoffs) expect(brief).toContain(h.id);
    expect(brief).toContain('2 more open handoffs: ho_3, ho_4.');
    expect(brief).toContain('Order NW-100001');
    expect(brief.length).toBeLessThanOrEqual(BRIEF_MAX_LENGTH);
  });

  it('is written from what there is when a system left orders unfilled, and says how many it could not read', () => {
    const brief = renderBrief(input({ customer: customer('en-GB', 'en'), activeOrders: [null, order(2), null], openBalances: [null] }));
    expect(brief).toContain('Recent orders that could not be read right now: 2.');
    expect(brief).toContain('Order NW-100002');
    expect(brief).not.toContain('No orders');
    expect(renderBrief(input({ activeOrders: [null] }))).toContain('Gerade nicht lesbare neuere Bestellungen: 1.');
  });

  it('says the orders could not be read, never that there are none, when the OMS did not answer', () => {
    const brief = renderBrief(input({ customer: customer('en-GB', 'en'), activeOrders: null }));
    expect(brief).toContain('Orders could not be read right now.');
    expect(brief).not.toContain('No orders');
    expect(renderBrief(input({ customer: customer('en-GB', 'en'), activeOrders: [] }))).toContain('No orders in the last 90 days.');
  });

  it(`stays within ${BRIEF_MAX_LENGTH} characters whatever the history`, () => {
    const long = 'x'.repeat(5_000);
    const huge = input({
      customer: { ...customer('en-US', 'en'), firstName: long },
      activeOrders: Array.from({ length: 50 }, (_, i) => order(i, { lineItems: Array(40).fill({ title: long, quantity: 3 }) })),
      openBalances: [{ outstanding: { amountMinor: 1, currency: 'USD' }, overdue: { amountMinor: 1, currency: 'USD' }, promises: [] }],
      interactions: Array(100).fill({ occurredAt: new Date(), channel: 'CHAT', intent: 'OTHER', outcome: 'ABANDONED' } as Interaction),
      openHandoffs: [{ id: 'ho_1', fromChannel: 'PORTAL', createdAt: new Date(), status: 'OPEN', intent: 'OTHER', failureReason: long, stepsTried: [long], summary: long } as Handoff],
    });
    expect(renderBrief(huge).length).toBeLessThanOrEqual(BRIEF_MAX_LENGTH);
  });
});
