import { z } from 'zod';

/**
 * Order-number formats: what an OMS's numbers look like, so the graph can read the number a
 * customer says or types and ask the OMS for it as the OMS writes it.
 *
 * A format is written as the number itself, with placeholders:
 *   `#`      one digit; a run of them is a group of that many digits (`#####`: 00042, 12345)
 *   `###+`   at least that many digits (`NW-######+`: NW-100234, NW-1000234)
 *   `YYYY`   a year, 1900-2099 (`CT-YYYY-######`: CT-2026-000123)
 *   letters  as written (`NW`, `CT`); `\Y` is a literal Y, `\#` a literal # (`\#####+`: #1001)
 *   - _ . /  separators, as written
 * A list, in ORDERS_<ADAPTER>_ORDER_NUMBER_FORMATS, is comma-separated; the first that fits wins:
 *   ORDERS_SQL_ORDER_NUMBER_FORMATS='NW-######+,\#####+'
 *
 * Read leniently for every format: case, spaces, `#`, separators and the leading letters
 * ("#nw 100234", "nw-100234", "100234" are NW-100234).
 */

type Token =
  | { kind: 'letters'; text: string }
  | { kind: 'separator'; text: string }
  | { kind: 'digits'; count: number; atLeast: boolean }
  | { kind: 'year' };

export interface OrderNumberFormat {
  pattern: string;
  /** The canonical number for what a customer gave, or null when it does not fit. */
  read(compact: string): string | null;
  /** A number of this shape, for messages ("they look like NW-100234"). */
  example: string;
}

export class OrderNumberFormatError extends Error {}

const SYNTAX = 'write # for a digit, ###+ for at least that many, YYYY for a year, letters and - _ . / as the number has them, \\# for a literal #';
const MAX_PATTERN_LENGTH = 40;
/** Longer than any order number: what a customer gives beyond this is not one (and costs no regex time). */
const MAX_INPUT_LENGTH = 100;
/** What reading drops, in every format: spaces, #, separators and dashes of any kind (a phone's en dash). */
const NOISE = /[\s#_./\p{Pd}]+/gu;
const EXAMPLE_DIGITS = '10023456789012345678901234567890123456789';

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const push = (token: Token) => {
    const last = tokens.at(-1);
    if (last && last.kind === token.kind && (token.kind === 'letters' || token.kind === 'separator')) (last as { text: string }).text += token.text;
    else tokens.push(token);
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === '#') push({ kind: 'separator', text: '#' });
      else if (next && /[A-Za-z]/.test(next)) push({ kind: 'letters', text: next });
      else throw new OrderNumberFormatError(`"\\" at position ${i + 1} must be followed by # or a letter`);
      i += 2;
    } else if (c === '#') {
      let end = i;
      while (pattern[end] === '#') end++;
      const atLeast = pattern[end] === '+';
      push({ kind: 'digits', count: end - i, atLeast });
      i = end + (atLeast ? 1 : 0);
    } else if (c === 'Y' || c === 'y') {
      let end = i;
      while (pattern[end] === c) end++;
      if ((end - i) % 4 === 0) for (let n = 0; n < end - i; n += 4) push({ kind: 'year' });
      else if (end - i === 1) push({ kind: 'letters', text: c });
      else throw new OrderNumberFormatError(`"${pattern.slice(i, end)}" at position ${i + 1}: a year is YYYY (four digits); write \\Y for a literal Y`);
      i = end;
    } else if (/[A-Za-z]/.test(c)) {
      push({ kind: 'letters', text: c });
      i++;
    } else if ('-_./'.includes(c)) {
      push({ kind: 'separator', text: c });
      i++;
    } else if (c === '+') {
      throw new OrderNumberFormatError(`"+" at position ${i + 1} must follow a run of #`);
    } else {
      throw new OrderNumberFormatError(`"${c}" at position ${i + 1} is not part of the syntax`);
    }
  }
  return tokens;
}

/** Parses one format; throws OrderNumberFormatError saying what is wrong with it. */
export function parseOrderNumberFormat(pattern: string): OrderNumberFormat {
  if (!pattern) throw new OrderNumberFormatError(`a format is empty (a comma too many?): ${SYNTAX}`);
  if (pattern.length > MAX_PATTERN_LENGTH) throw new OrderNumberFormatError(`"${pattern}" is longer than ${MAX_PATTERN_LENGTH} characters`);
  let tokens: Token[];
  try {
    tokens = tokenize(pattern);
  } catch (err) {
    throw new OrderNumberFormatError(`"${pattern}": ${(err as Error).message} (${SYNTAX})`);
  }
  if (!tokens.some((t) => t.kind === 'digits')) throw new OrderNumberFormatError(`"${pattern}" has no digits: ${SYNTAX}`);
  // Reading drops separators, so between two runs of letters only one group may vary in length.
  let variable = 0;
  for (const token of tokens) {
    if (token.kind === 'letters') variable = 0;
    else if (token.kind === 'digits' && token.atLeast && ++variable > 1) {
      throw new OrderNumberFormatError(`"${pattern}": two groups of "at least" digits (+) need letters between them, or a typed number cannot be split`);
    }
  }

  // The leading letters may be left out ("100234" for NW-100234); letters further in may not.
  const firstNumber = tokens.findIndex((t) => t.kind === 'digits' || t.kind === 'year');
  const prefix = tokens.slice(0, firstNumber).flatMap((t) => (t.kind === 'letters' ? [t.text.toUpperCase()] : [])).join('');
  const body = tokens.slice(firstNumber).map((t) => {
    if (t.kind === 'letters') return t.text.toUpperCase();
    if (t.kind === 'separator') return '';
    if (t.kind === 'year') return '((?:19|20)\\d{2})';
    return t.atLeast ? `(\\d{${t.count},})` : `(\\d{${t.count}})`;
  });
  const regex = new RegExp(`^${prefix ? `(?:${prefix})?` : ''}${body.join('')}$`);
  const write = (groups: string[]) =>
    tokens.map((t) => (t.kind === 'letters' || t.kind === 'separator' ? t.text : groups.shift())).join('');
  const year = String(new Date().getUTCFullYear());
  return {
    pattern,
    read: (compact) => {
      const match = regex.exec(compact);
      return match ? write(match.slice(1)) : null;
    },
    example: write(tokens.flatMap((t) => (t.kind === 'year' ? [year] : t.kind === 'digits' ? [EXAMPLE_DIGITS.slice(0, t.count)] : []))),
  };
}

/** What a customer gave, without what reading ignores: case, spaces, #, separators. */
export const compactOrderNumber = (input: string) => input.normalize('NFKC').replace(NOISE, '').toUpperCase();

export type OrderNumberReader = ((input: string) => string | null) & {
  /** A number in the first format, for messages ("they look like NW-100234"). */
  readonly example: string;
};

/**
 * Reads what a customer says or types as the OMS's canonical number, trying the formats in order:
 *   createOrderNumberReader(['NW-######+'])('#nw 100234') === 'NW-100234'
 * null when it fits none. Throws OrderNumberFormatError for a bad format (see orderNumberFormats).
 */
export function createOrderNumberReader(formats: readonly string[]): OrderNumberReader {
  if (formats.length === 0) throw new OrderNumberFormatError('no order-number format');
  const parsed = formats.map(parseOrderNumberFormat);
  const read = (input: string) => {
    if (input.length > MAX_INPUT_LENGTH) return null;
    const compact = compactOrderNumber(input);
    if (!compact) return null;
    for (const format of parsed) {
      const number = format.read(compact);
      if (number) return number;
    }
    return null;
  };
  return Object.assign(read, { example: parsed[0].example });
}

/** The demo's numbers (NW-100234): the reference adapter's default, and the graph's when an adapter names none. */
export const DEFAULT_ORDER_NUMBER_FORMATS: readonly string[] = Object.freeze(['NW-######+']);

/**
 * An adapter's `orderNumberFormats` setting: a comma-separated list of formats, each checked at
 * start-up. "NW-######+, \#####+" → ['NW-######+', '\#####+'].
 */
export const orderNumberFormats = z.string().transform((value, ctx): readonly string[] => {
  const formats = value.split(',').map((f) => f.trim());
  for (const format of formats) {
    try {
      parseOrderNumberFormat(format);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
    }
  }
  return Object.freeze(formats);
});

const readers = new WeakMap<object, OrderNumberReader>();

/** The reader for an OMS adapter's formats (the demo's when it names none), built once per adapter. */
export function orderNumberReaderOf(source: { readonly orderNumberFormats?: readonly string[] }): OrderNumberReader {
  let reader = readers.get(source);
  if (!reader) readers.set(source, (reader = createOrderNumberReader(source.orderNumberFormats ?? DEFAULT_ORDER_NUMBER_FORMATS)));
  return reader;
}
