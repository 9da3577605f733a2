import { normalizeOrderNumber } from './Query';

describe('normalizeOrderNumber', () => {
  it.each([
    ['NW-100234', 'NW-100234'],
    ['nw-100234', 'NW-100234'],
    ['#NW100234', 'NW-100234'],
    [' nw 100 234 ', 'NW-100234'],
    ['100234', 'NW-100234'],
    ['#100234', 'NW-100234'],
  ])('reads %p as %p', (input, expected) => {
    expect(normalizeOrderNumber(input)).toBe(expected);
  });

  it.each(['', 'NW-', 'AB-100234', 'order 12', 'NW-12a'])('refuses %p', (input) => {
    expect(normalizeOrderNumber(input)).toBeNull();
  });
});
