import type { ReturnPolicyRule } from '../port';

const EUROPE_AND_UK = ['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'NL', 'PL', 'PT', 'SE'];

/**
 * The shop's starting return policy, written as data by the first migration; edited as rows
 * afterwards, never in code. The holiday extension covers this year's and next year's season.
 */
export const DEFAULT_RETURN_POLICY: ReturnPolicyRule[] = [
  { id: 'standard', kind: 'WINDOW', name: 'Standard returns', category: null, country: null, days: 30, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  { id: 'shoes-trial', kind: 'WINDOW', name: 'Shoes: 60-day trial', category: 'shoes', country: null, days: 60, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  { id: 'electronics', kind: 'WINDOW', name: 'Electronics', category: 'electronics', country: null, days: 14, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  { id: 'beauty', kind: 'WINDOW', name: 'Beauty', category: 'beauty', country: null, days: 14, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  { id: 'gift-cards', kind: 'NOT_RETURNABLE', name: 'Gift cards', category: 'gift-cards', country: null, days: null, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  { id: 'personalised', kind: 'NOT_RETURNABLE', name: 'Personalised items', category: 'personalised', country: null, days: null, extendedUntil: null, ordersPlacedFrom: null, ordersPlacedUntil: null },
  ...EUROPE_AND_UK.map((country) => ({
    id: `withdrawal-${country.toLowerCase()}`,
    kind: 'LEGAL_MINIMUM' as const,
    name: 'Statutory 14-day right of withdrawal',
    category: null,
    country,
    days: 14,
    extendedUntil: null,
    ordersPlacedFrom: null,
    ordersPlacedUntil: null,
  })),
  ...[2026, 2027].map((year) => ({
    id: `holiday-${year}`,
    kind: 'EXTENSION' as const,
    name: `Holiday returns ${year}`,
    category: null,
    country: null,
    days: null,
    extendedUntil: new Date(Date.UTC(year + 1, 0, 31, 23, 59, 59)),
    ordersPlacedFrom: new Date(Date.UTC(year, 10, 1)),
    ordersPlacedUntil: new Date(Date.UTC(year, 11, 25)),
  })),
];
