import { formatMoney, money } from './money';

describe('formatMoney', () => {
  it('formats minor units for the locale', () => {
    expect(formatMoney(money(12999, 'EUR'), 'de-DE')).toBe('129,99\u00a0€');
    expect(formatMoney(money(12999, 'EUR'), 'en-US')).toBe('€129.99');
    expect(formatMoney(money(4500, 'GBP'), 'en-GB')).toBe('£45.00');
  });

  it('knows currencies without minor units', () => {
    expect(formatMoney(money(1500, 'JPY'), 'ja-JP')).toBe('￥1,500');
  });

  it('falls back to English for a locale Intl rejects', () => {
    expect(formatMoney(money(100, 'USD'), 'not_a_locale!')).toBe('$1.00');
  });
});
