import { parse } from 'graphql';
import type { Viewer } from './auth';
import { findCardNumbers, findCardNumbersInTokens, redactCardNumbers, seesUnmasked, withDataProtection } from './pii';

const voice: Viewer = { kind: 'agent', id: 'bot', channel: 'VOICE', customerId: 'c1' };
const desk: Viewer = { kind: 'agent', id: 'desk', channel: 'HUMAN_DESK', customerId: 'c1' };
const self: Viewer = { kind: 'customer', id: 'c1' };
const ops: Viewer = { kind: 'operations', id: 'ops' };

describe('card numbers', () => {
  it('finds Luhn-valid 13 to 19 digit numbers, printed with spaces or dashes, and nothing else', () => {
    expect(findCardNumbers('card 4111 1111 1111 1111 exp 12/28')).toEqual(['4111 1111 1111 1111']);
    expect(findCardNumbers('5555-5555-5555-4444')).toEqual(['5555-5555-5555-4444']);
    expect(findCardNumbers('378282246310005')).toEqual(['378282246310005']);
    expect(findCardNumbers('4111 1111 1111 1112')).toEqual([]); // fails Luhn
    expect(findCardNumbers('order NW-100234, tracking 00340434161234567890123')).toEqual([]); // too long
    expect(findCardNumbers('call +4915140287311')).toEqual([]); // an E.164 phone number
    // Ids whose hex happens to hold a Luhn-valid run of decimal digits (4111111111111111).
    expect(findCardNumbers('{"id":"int_4111111111111111abcd"}')).toEqual([]);
    expect(findCardNumbers('{"id":"41111111-1111-1111-aaaa-bbbbbbbbbbbb"}')).toEqual([]);
    expect(findCardNumbers('int 41111111-1111-1111-aaaa-bbbbbbbbbbbb paid with 4111-1111-1111-1111')).toEqual(['4111-1111-1111-1111']);
  });

  it('finds them where ids and keys hide them, and leaves ids’ hex, phone numbers and dates alone', () => {
    expect(findCardNumbersInTokens('ord_6011111111111117')).toEqual(['6011111111111117']);
    expect(findCardNumbersInTokens('5105105105105100-1')).toEqual(['5105105105105100']);
    expect(findCardNumbersInTokens('key:3530-1113-3330-0000.x')).toEqual(['3530111333300000']);
    expect(findCardNumbersInTokens('int_4111111111111111abcd')).toEqual([]);
    expect(findCardNumbersInTokens('41111111-1111-1111-aaaa-bbbbbbbbbbbb')).toEqual([]);
    expect(findCardNumbersInTokens('+4111111111111111')).toEqual([]);
    expect(findCardNumbersInTokens('ord_000004_1 2026-11-21 09:30:00+00 9400123456789012345678901')).toEqual([]);
  });

  it('replaces them in free text, keeping the rest', () => {
    expect(redactCardNumbers('my card is 4111111111111111, please refund')).toBe('my card is [card number removed], please refund');
    expect(redactCardNumbers(null)).toBeNull();
    expect(redactCardNumbers('no numbers here')).toBe('no numbers here');
  });
});

describe('the PII policy table and @pii', () => {
  it('lets the customer and human agents see personal data, not bots or operations', () => {
    expect([self, desk, voice, ops].map((v) => seesUnmasked(v, 'EMAIL'))).toEqual([true, true, false, false]);
  });

  it('masks exactly the fields the SDL marks, by kind, and reports reads of @audited types', async () => {
    const typeDefs = parse(/* GraphQL */ `
      type Customer @audited { id: ID! firstName: String! email: String! @pii(kind: "EMAIL") phone: String @pii(kind: "PHONE")
        dateOfBirth: String @pii(kind: "DATE_OF_BIRTH") addresses: [Address!]! @pii(kind: "ADDRESS") }
      type Address { name: String! line1: String! line2: String postalCode: String! city: String! }
    `);
    const resolvers = withDataProtection(typeDefs, { Customer: { firstName: (c: { first: string }) => c.first } }) as any;
    const customer = {
      id: 'c1', first: 'Lena', email: 'lena@example.com', phone: '+4915140287311', dateOfBirth: '1990-01-02',
      addresses: [{ name: 'Lena Fischer', line1: 'Hauptstr. 1', line2: 'Hinterhaus', postalCode: '10115', city: 'Berlin' }],
    };
    const reads: string[] = [];
    const read = (viewer: Viewer, field: string) =>
      resolvers.Customer[field](customer, {}, { viewer, audit: (type: string, id: string, f: string) => reads.push(`${type}:${id}:${f}`) }, { fieldName: field });
    expect(await read(voice, 'email')).toBe('l•••@example.com');
    expect(await read(voice, 'phone')).toBe('+49 •••');
    expect(await read(voice, 'dateOfBirth')).toBeNull();
    expect(await read(voice, 'addresses')).toEqual([{ name: 'L•••', line1: '•••', line2: null, postalCode: '•••', city: 'Berlin' }]);
    expect(await read(voice, 'firstName')).toBe('Lena');
    expect(await read(desk, 'email')).toBe('lena@example.com');
    expect(await read(self, 'addresses')).toEqual(customer.addresses);
    expect(reads).toContain('Customer:c1:email');
    expect(reads).toContain('Customer:c1:firstName');
  });

  it('refuses an unknown kind when the schema is built', () => {
    expect(() => withDataProtection(parse('type T { x: String @pii(kind: "SHOE_SIZE") }'), {})).toThrow(/SHOE_SIZE|must be one of/);
  });
});
