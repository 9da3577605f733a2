/** Money as every subgraph stores and returns it: integer minor units plus an ISO 4217 code. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export const money = (amountMinor: number, currency: string): Money => ({ amountMinor, currency });

// Building an Intl formatter costs far more than using one: keep one per locale and currency.
const formatters = new Map<string, Intl.NumberFormat>();
function formatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = formatters.get(key);
  if (!format) {
    try {
      format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat('en', { style: 'currency', currency });
    }
    if (formatters.size < 10_000) formatters.set(key, format);
  }
  return format;
}

/** "€129.99", "129,99 €": for the locale given, falling back to English where Intl does not know it. */
export function formatMoney(value: Money, locale = 'en'): string {
  const format = formatter(locale, value.currency);
  return format.format(value.amountMinor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/** The resolvers of the shareable `Money` type; identical in every subgraph that returns money. */
export const moneyResolvers = {
  Money: {
    formatted: (value: Money, args: { locale?: string | null }) => formatMoney(value, args.locale ?? 'en'),
  },
};
