import { defaultFieldResolver, Kind, type DocumentNode, type GraphQLFieldResolver } from 'graphql';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Viewer } from './auth';

/** The personal data a schema field can be declared as, with `@pii(kind: "EMAIL")`. */
export const PII_KINDS = ['EMAIL', 'PHONE', 'ADDRESS', 'DATE_OF_BIRTH'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/**
 * The one policy table: which personal data each kind of caller sees unmasked. Automated
 * channels (bots, whose context goes into an LLM prompt) and operations see it masked; the
 * customer, human agents and the graph's own services see it whole.
 */
const UNMASKED: Record<string, readonly PiiKind[]> = {
  customer: PII_KINDS,
  'agent:HUMAN_DESK': PII_KINDS,
  'agent:EMAIL': PII_KINDS,
  'agent:VOICE': [],
  'agent:CHAT': [],
  'agent:SMS': [],
  'agent:SOCIAL': [],
  operations: [],
  service: PII_KINDS,
};

export const seesUnmasked = (viewer: Viewer, kind: PiiKind) =>
  (UNMASKED[viewer.kind === 'agent' ? `agent:${viewer.channel}` : viewer.kind] ?? []).includes(kind);

/** "lena.fischer@example.com" → "l•••@example.com": enough to confirm, not enough to learn. */
export function maskEmail(email: string): string {
  const [local, domain] = email.split('@');
  return `${local.charAt(0)}•••@${domain}`;
}

/** "+4915140287311" → "+49 •••": the country only; the digits are a verification answer. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return null;
  const parsed = parsePhoneNumberFromString(phone);
  return `+${parsed?.countryCallingCode ?? '?'} •••`;
}

/** Whether a digit string passes the Luhn check, as every card number (PAN) does. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * Runs of 13 to 19 digits (spaces or dashes between them allowed, as cards are printed) that pass
 * Luhn, standing apart from letters. A run after "+" is an E.164 phone number, which no card number
 * is written as.
 */
export function findCardNumbers(text: string): string[] {
  const found: string[] = [];
  // Ids are hex: the decimal stretch of one (int_3846…, or across a UUID's dashes) can pass Luhn,
  // for about one id in a few hundred. Digits inside a word, or a UUID, are never a card number.
  const scanned = text.replace(UUID, (uuid) => '#'.repeat(uuid.length));
  for (const match of scanned.matchAll(/(?<![\w+])\d(?:[ -]?\d){12,18}(?!\w)/g)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found.push(match[0]);
  }
  return found;
}

/**
 * Card numbers an id or a key could carry that `findCardNumbers` (made for free text) leaves: after
 * "_", ".", ":" or "-" (`ord_6011111111111117`), and at the start or end of a longer run joined by
 * dashes (`5105105105105100-1`). Digits touching a letter stay ids' hex, as there; a run after "+" is
 * an E.164 phone number.
 */
export function findCardNumbersInTokens(text: string): string[] {
  const found: string[] = [];
  const scanned = text.replace(UUID, (uuid) => '#'.repeat(uuid.length));
  for (const match of scanned.matchAll(/(?<![A-Za-z0-9+])\d+(?:[ -]\d+)*(?![A-Za-z0-9])/g)) {
    const groups = match[0].split(/[ -]/);
    // Every stretch of whole groups that a card number could be (13 to 19 digits).
    for (let i = 0; i < groups.length; i++) {
      let digits = '';
      for (let j = i; j < groups.length && digits.length + groups[j].length <= 19; j++) {
        digits += groups[j];
        if (digits.length >= 13 && luhnValid(digits)) found.push(digits);
      }
    }
  }
  return found;
}

const CARD_REMOVED = '[card number removed]';

/**
 * Free text a channel writes (a summary, a note) with any card number a customer read out replaced:
 * PCI DSS keeps PANs out of systems that need none, and this one needs none.
 */
export function redactCardNumbers<T extends string | null | undefined>(text: T): T {
  if (!text) return text;
  let result: string = text;
  for (const found of findCardNumbers(text)) result = result.replace(found, CARD_REMOVED);
  return result as T;
}

type AddressLike = { name?: string; line1?: string; line2?: string | null; postalCode?: string };
/** Street, name and postal code hidden; city and country kept (enough to talk about a delivery). */
const maskAddress = (a: AddressLike | null) =>
  a && { ...a, name: a.name ? `${a.name.charAt(0)}•••` : a.name, line1: '•••', line2: null, postalCode: '•••' };

const MASKS: Record<PiiKind, (value: any) => unknown> = {
  EMAIL: (v: string | null) => (v ? maskEmail(v) : v),
  PHONE: maskPhone,
  ADDRESS: (v: AddressLike | AddressLike[] | null) => (Array.isArray(v) ? v.map(maskAddress) : maskAddress(v)),
  DATE_OF_BIRTH: () => null,
};

type ResolverMap = Record<string, Record<string, unknown>>;

/**
 * Applies the data-protection rules a subgraph's SDL declares to its resolvers: a field marked
 * `@pii(kind: ...)` is masked for callers the policy table does not let see that kind, and every
 * field read on a type marked `@audited` is reported to `ctx.audit` with the record's id.
 */
export function withDataProtection(typeDefs: DocumentNode, resolvers: ResolverMap): ResolverMap {
  const result: ResolverMap = { ...resolvers };
  for (const def of typeDefs.definitions) {
    if ((def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) || !def.fields) continue;
    const type = def.name.value;
    const audited = def.directives?.some((d) => d.name.value === 'audited') ?? false;
    const typeResolvers: Record<string, unknown> = { ...(result[type] ?? {}) };
    for (const field of def.fields) {
      const pii = field.directives?.find((d) => d.name.value === 'pii');
      const kindArg = pii?.arguments?.find((a) => a.name.value === 'kind')?.value;
      const kind = kindArg?.kind === Kind.STRING ? (kindArg.value as PiiKind) : undefined;
      if (pii && !PII_KINDS.includes(kind!)) throw new Error(`${type}.${field.name.value}: @pii(kind:) must be one of ${PII_KINDS.join(', ')}`);
      if (!kind && !audited) continue;
      const name = field.name.value;
      const resolve = (typeResolvers[name] as GraphQLFieldResolver<any, any> | undefined) ?? defaultFieldResolver;
      typeResolvers[name] = async (source: { id?: string }, args: unknown, ctx: ProtectedContext, info: Parameters<GraphQLFieldResolver<any, any>>[3]) => {
        if (audited && source.id) ctx.audit?.(type, source.id, name);
        const value = await resolve(source, args, ctx, info);
        return kind && !seesUnmasked(ctx.viewer, kind) ? MASKS[kind](value) : value;
      };
    }
    result[type] = typeResolvers;
  }
  return result;
}

interface ProtectedContext {
  viewer: Viewer;
  audit?: (type: string, id: string, field: string) => void;
}
