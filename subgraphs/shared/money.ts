/** Money as every subgraph stores and returns it: integer minor units plus an ISO 4217 code. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

const fractionDigits = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

/** "€129.99", "129,99 €": for the locale given, falling back to English where Intl does not know it. */
export function formatMoney(value: Money, locale = 'en'): string {
  const major = value.amountMinor / 10 ** fractionDigits(value.currency);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: value.currency }).format(major);
  } catch {
    return new Intl.NumberFormat('en', { style: 'currency', currency: value.currency }).format(major);
  }
}

/** The resolvers of the shareable `Money` type; identical in every subgraph that returns money. */
export const moneyResolvers = {
  Money: {
    formatted: (value: Money, args: { locale?: string | null }) => formatMoney(value, args.locale ?? 'en'),
  },
};
