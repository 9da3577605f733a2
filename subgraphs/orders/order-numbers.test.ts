import fc from 'fast-check';
import { createOrderNumberReader, DEFAULT_ORDER_NUMBER_FORMATS, orderNumberFormats, orderNumberReaderOf } from './order-numbers';

const year = String(new Date().getUTCFullYear());

describe('the demo format, NW-######+', () => {
  const read = createOrderNumberReader(DEFAULT_ORDER_NUMBER_FORMATS);

  it.each([
    ['NW-100234', 'NW-100234'],
    ['nw-100234', 'NW-100234'],
    ['#NW100234', 'NW-100234'],
    ['#nw 100234', 'NW-100234'],
    [' nw 100 234 ', 'NW-100234'],
    ['100234', 'NW-100234'],
    ['#100234', 'NW-100234'],
    ['NW-1000234', 'NW-1000234'],
    // A phone's keyboard or a voice transcript: full-width characters, an en dash.
    ['ＮＷ－１００２３４', 'NW-100234'],
    ['NW\u2013100234', 'NW-100234'],
  ])('reads %p as %p', (input, expected) => {
    expect(read(input)).toBe(expected);
  });

  it.each(['', ' # ', 'NW-', 'AB-100234', 'order 12', 'NW-12a', 'NW-12345', `NW-${'1'.repeat(200)}`])('refuses %p', (input) => {
    expect(read(input)).toBeNull();
  });

  it('gives an example for messages', () => {
    expect(read.example).toBe('NW-100234');
  });
});

describe('other OMSs and brands', () => {
  it('reads a year group: CT-YYYY-######', () => {
    const read = createOrderNumberReader(['CT-YYYY-######']);
    expect(read('ct 2026 000123')).toBe('CT-2026-000123');
    expect(read('2026-000123')).toBe('CT-2026-000123');
    expect(read('CT_2026_000123')).toBe('CT-2026-000123');
    expect(read('CT-1826-000123')).toBeNull();
    expect(read('CT-2026-00123')).toBeNull();
    expect(read.example).toBe(`CT-${year}-100234`);
  });

  it('writes a literal # where the OMS writes one (Shopify: \\#####+), and reads it without', () => {
    const read = createOrderNumberReader(['\\#####+']);
    expect(read('#1001')).toBe('#1001');
    expect(read('1001')).toBe('#1001');
    expect(read('# 10 01')).toBe('#1001');
    expect(read('100')).toBeNull();
    expect(read.example).toBe('#1002');
  });

  it('reads a digits-only format, leading zeros kept', () => {
    const read = createOrderNumberReader(['######']);
    expect(read('00 42 17')).toBe('004217');
    expect(read('4217')).toBeNull();
  });

  it('keeps letters after the digits required, and in the case the OMS writes them', () => {
    const read = createOrderNumberReader(['####-de', 'So/####']);
    expect(read('1234 DE')).toBe('1234-de');
    expect(read('so 1234')).toBe('So/1234');
    expect(read('1234')).toBe('So/1234');
  });

  it('answers the first format that fits when several do', () => {
    expect(createOrderNumberReader(['NW-######+', '######+'])('100234')).toBe('NW-100234');
    expect(createOrderNumberReader(['######+', 'NW-######+'])('100234')).toBe('100234');
    expect(createOrderNumberReader(['######+', 'NW-######+'])('nw100234')).toBe('NW-100234');
  });

  it('refuses an empty list of formats', () => {
    expect(() => createOrderNumberReader([])).toThrow('no order-number format');
  });
});

describe('orderNumberFormats (the adapter setting)', () => {
  const problems = (value: string) => {
    const parsed = orderNumberFormats.safeParse(value);
    return parsed.success ? [] : parsed.error.issues.map((i) => i.message);
  };

  it('reads a comma-separated list, in order, frozen', () => {
    const formats = orderNumberFormats.parse(' NW-######+ , \\#####+,CT-YYYY-######');
    expect(formats).toEqual(['NW-######+', '\\#####+', 'CT-YYYY-######']);
    expect(Object.isFrozen(formats)).toBe(true);
  });

  it.each([
    ['', 'a format is empty'],
    ['NW-######+,', 'a format is empty (a comma too many?)'],
    ['NW', '"NW" has no digits'],
    ['NW-##+-##+', '"NW-##+-##+": two groups of "at least" digits (+) need letters between them'],
    ['CT-YY-####', '"CT-YY-####": "YY" at position 4: a year is YYYY (four digits)'],
    ['NW ####', '"NW ####": " " at position 3 is not part of the syntax'],
    ['NW-+###', '"NW-+###": "+" at position 4 must follow a run of #'],
    ['NW-\\1###', '"NW-\\1###": "\\" at position 4 must be followed by # or a letter'],
    [`NW-${'#'.repeat(40)}`, 'is longer than 40 characters'],
  ])('refuses %p, saying why', (value, problem) => {
    expect(problems(value).join('\n')).toContain(problem);
  });

  it('names every bad format of a list', () => {
    expect(problems('NW-##+##+,NW-######+,X')).toEqual([expect.stringContaining('"NW-##+##+"'), expect.stringContaining('"X" has no digits')]);
  });

  it('a format that names a letter the syntax reserves escapes it', () => {
    expect(createOrderNumberReader(orderNumberFormats.parse('\\Y-YYYY-###'))('y 2025 001')).toBe('Y-2025-001');
  });
});

describe('orderNumberReaderOf (one reader per adapter)', () => {
  it('uses the adapter formats, the demo format when it names none, and builds each reader once', () => {
    const brand = { orderNumberFormats: ['\\#####+'] as const };
    expect(orderNumberReaderOf(brand)('1001')).toBe('#1001');
    expect(orderNumberReaderOf(brand)).toBe(orderNumberReaderOf(brand));
    expect(orderNumberReaderOf({})('#nw 100234')).toBe('NW-100234');
  });
});

// A format as data: how it is written in the setting, and how a number of it is written by the OMS.
type Part =
  | { kind: 'letters'; text: string }
  | { kind: 'separator'; text: '-' | '_' | '.' | '/' | '#' }
  | { kind: 'digits'; count: number; atLeast: boolean }
  | { kind: 'year' };

const partArb: fc.Arbitrary<Part> = fc.oneof(
  fc.record({ kind: fc.constant('letters' as const), text: fc.stringMatching(/^[A-Za-z]{1,3}$/) }),
  fc.record({ kind: fc.constant('separator' as const), text: fc.constantFrom('-' as const, '_' as const, '.' as const, '/' as const, '#' as const) }),
  fc.record({ kind: fc.constant('digits' as const), count: fc.integer({ min: 1, max: 7 }), atLeast: fc.boolean() }),
  fc.constant({ kind: 'year' as const }),
);

/** Random valid formats: at least one digit group, at most one "at least" group between letters. */
const formatArb = fc
  .array(partArb, { minLength: 1, maxLength: 6 })
  .filter((parts) => parts.some((p) => p.kind === 'digits'))
  .map((parts) => {
    let variable = false;
    return parts.map((p) => {
      if (p.kind === 'letters') variable = false;
      if (p.kind !== 'digits' || !p.atLeast) return p;
      if (variable) return { ...p, atLeast: false };
      variable = true;
      return p;
    });
  });

const patternOf = (parts: Part[]) =>
  parts
    .map((p) => {
      if (p.kind === 'letters') return p.text.replace(/[Yy]/g, '\\$&');
      if (p.kind === 'separator') return p.text === '#' ? '\\#' : p.text;
      if (p.kind === 'year') return 'YYYY';
      return '#'.repeat(p.count) + (p.atLeast ? '+' : '');
    })
    .join('');

/** A number of the format as the OMS writes it, and its leading letters and separators (what a customer may leave out). */
const numberArb = (parts: Part[]) =>
  fc
    .tuple(
      ...parts.map((p) => {
        if (p.kind === 'digits') return fc.stringMatching(new RegExp(`^\\d{${p.count},${p.count + (p.atLeast ? 3 : 0)}}$`));
        if (p.kind === 'year') return fc.integer({ min: 1900, max: 2099 }).map(String);
        return fc.constant(p.text);
      }),
    )
    .map((texts) => {
      const firstNumber = parts.findIndex((p) => p.kind === 'digits' || p.kind === 'year');
      return { canonical: texts.join(''), prefix: texts.slice(0, firstNumber).join('') };
    });

/** How a customer might say or type it: any case, noise anywhere, the leading letters left out. */
const variantArb = (number: { canonical: string; prefix: string }) =>
  fc
    .record({
      dropPrefix: fc.boolean(),
      cases: fc.array(fc.boolean(), { minLength: number.canonical.length, maxLength: number.canonical.length }),
      noise: fc.array(fc.tuple(fc.nat(), fc.constantFrom(' ', '  ', '-', '_', '#', '.', '/', '\u2013', '\t')), { maxLength: 6 }),
    })
    .map(({ dropPrefix, cases, noise }) => {
      const chars = [...number.canonical].map((c, i) => (cases[i] ? c.toLowerCase() : c.toUpperCase()));
      let text = (dropPrefix ? chars.slice(number.prefix.length) : chars).join('');
      for (const [at, bit] of noise) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + bit + text.slice(i);
      }
      return text;
    });

const caseArb = formatArb.chain((parts) =>
  numberArb(parts).chain((number) => variantArb(number).map((variant) => ({ pattern: patternOf(parts), ...number, variant }))),
);

describe('properties over random formats', () => {
  it('every generated format passes the setting schema', () => {
    fc.assert(fc.property(formatArb, (parts) => expect(orderNumberFormats.parse(patternOf(parts))).toEqual([patternOf(parts)])));
  });

  it('canonical → any lenient variant → the same canonical number', () => {
    fc.assert(
      fc.property(caseArb, ({ pattern, canonical, variant }) => {
        const read = createOrderNumberReader([pattern]);
        expect(read(canonical)).toBe(canonical);
        expect(read(variant)).toBe(canonical);
      }),
      { numRuns: 500 },
    );
  });

  it('with several formats, the first that fits answers', () => {
    fc.assert(
      fc.property(formatArb.map(patternOf), caseArb, (first, { pattern, variant }) => {
        const alone = [createOrderNumberReader([first]), createOrderNumberReader([pattern])].map((read) => read(variant));
        expect(createOrderNumberReader([first, pattern])(variant)).toBe(alone[0] ?? alone[1]);
        expect(alone[1]).not.toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any input, and what it answers reads as itself', () => {
    const inputArb = fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[#\sNWnwCT0-9-]{0,16}$/), caseArb.map((c) => c.variant));
    fc.assert(
      fc.property(fc.array(formatArb.map(patternOf), { minLength: 1, maxLength: 3 }), inputArb, (formats, input) => {
        const read = createOrderNumberReader(formats);
        const number = read(input);
        if (number !== null) expect(read(number)).toBe(number);
      }),
      { numRuns: 500 },
    );
  });
});
