import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { badInput } from '../shared/errors';
import type { Customer } from './port';

export interface PhoneCandidate {
  e164: string;
  /** The region the number was read in; null when it was given with its country code. */
  region: string | null;
}

/**
 * The E.164 numbers a caller's phone input can mean. With a country code there is one; without,
 * one per region we serve (or the line's own region), and a match must then be a customer of that
 * country: the customer's country is the default region.
 */
export function phoneCandidates(input: string, regions: readonly string[]): PhoneCandidate[] {
  const trimmed = input.trim().replace(/^00/, '+');
  if (!/^[+\d\s().\-/]{4,30}$/.test(trimmed)) throw badInput('That is not a phone number', { argument: 'phone' });
  if (trimmed.startsWith('+')) {
    const parsed = parsePhoneNumberFromString(trimmed);
    if (!parsed?.isValid()) throw badInput('That is not a valid international phone number', { argument: 'phone' });
    return [{ e164: parsed.number, region: null }];
  }
  const candidates = regions
    .map((region) => ({ region, parsed: parsePhoneNumberFromString(trimmed, region as CountryCode) }))
    .filter((c) => c.parsed?.isValid())
    .map((c) => ({ e164: c.parsed!.number, region: c.region }));
  if (candidates.length === 0) throw badInput('That is not a valid phone number in any region we serve', { argument: 'phone' });
  return candidates;
}

export const matchesCandidate = (customer: Customer, candidate: PhoneCandidate) =>
  customer.phone === candidate.e164 && (candidate.region === null || candidate.region === customer.country);

const emailSchema = z.email();

export function normalizeEmail(input: string): string {
  const email = input.trim().toLowerCase();
  if (email.length > 254 || !emailSchema.safeParse(email).success) throw badInput('That is not an email address', { argument: 'email' });
  return email;
}

