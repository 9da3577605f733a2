import { maskEmail, maskPhone } from '../shared/pii';
import { matchesCandidate, normalizeEmail, phoneCandidates } from './identify';
import type { Customer } from './port';

const REGIONS = ['DE', 'FR', 'GB', 'US'];

describe('phone numbers at identification', () => {
  it('reads an international number once, whatever its formatting', () => {
    for (const input of ['+49 151 40287311', '0049 151 402 873 11', '+49(151)40287311']) {
      expect(phoneCandidates(input, REGIONS)).toEqual([{ e164: '+4915140287311', region: null }]);
    }
  });

  it('reads a national number in every region where it is valid', () => {
    expect(phoneCandidates('0151 40287311', REGIONS)).toContainEqual({ e164: '+4915140287311', region: 'DE' });
    // Also a valid German number (Solingen): the customer's country decides which one was meant.
    expect(phoneCandidates('(212) 555-0123', REGIONS)).toEqual([
      { e164: '+492125550123', region: 'DE' },
      { e164: '+12125550123', region: 'US' },
    ]);
  });

  it('matches a national reading only for a customer of that country', () => {
    const german = { phone: '+4915140287311', country: 'DE' } as Customer;
    const french = { phone: '+4915140287311', country: 'FR' } as Customer;
    expect(matchesCandidate(german, { e164: '+4915140287311', region: 'DE' })).toBe(true);
    expect(matchesCandidate(french, { e164: '+4915140287311', region: 'DE' })).toBe(false);
    expect(matchesCandidate(french, { e164: '+4915140287311', region: null })).toBe(true);
  });

  it.each(['hello', '12', '+1 000', '+49 151 4028731199999', 'DROP TABLE'])('refuses %p', (input) => {
    expect(() => phoneCandidates(input, REGIONS)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});

describe('emails and masking', () => {
  it('normalizes an email and refuses what is not one', () => {
    expect(normalizeEmail('  Lena.Fischer@Example.COM ')).toBe('lena.fischer@example.com');
    expect(() => normalizeEmail('lena@')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });

  it('masks so that an unverified caller learns nothing they could answer verification with', () => {
    expect(maskEmail('lena.fischer@example.com')).toBe('l•••@example.com');
    expect(maskPhone('+4915140287311')).toBe('+49 •••');
    expect(maskPhone(null)).toBeNull();
  });
});
