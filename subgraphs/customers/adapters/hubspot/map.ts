import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Logger } from '../../../shared/logger';
import type { Address, Customer, LoyaltyTier } from '../../port';

/** A contact as the SDK answers it: HubSpot's properties are all strings (or null when unset). */
export interface Contact {
  id: string;
  properties: Record<string, string | null | undefined>;
  createdAt: Date;
  updatedAt: Date;
}

export interface MapSettings {
  graphIdProperty: string;
  loyaltyTierProperty: string;
}

/** The loyalty-tier property's options (an enumeration the brand creates: see README) → the graph's tiers. */
export const LOYALTY_TIERS: Record<string, LoyaltyTier> = { none: 'NONE', bronze: 'BRONZE', silver: 'SILVER', gold: 'GOLD', platinum: 'PLATINUM' };
/** HubSpot's hs_language options → the language and, where the option names one, the region of the locale. */
export const LANGUAGES: Record<string, { language: string; region: string | null }> = Object.fromEntries(
  ['de', 'de-at', 'de-ch', 'en', 'en-au', 'en-ca', 'en-gb', 'en-us', 'es', 'es-mx', 'fr', 'fr-be', 'fr-ca', 'it', 'nl', 'pl', 'pt', 'pt-br', 'sv', 'ja', 'zh-cn', 'zh-tw'].map((v) => {
    const [language, region] = v.split('-');
    return [v, { language, region: region ? region.toUpperCase() : null }];
  }),
);
/** HubSpot's country property is free text: ISO codes as they are, and the names its own forms write. */
const COUNTRY_NAMES: Record<string, string> = {
  germany: 'DE', deutschland: 'DE', 'united states': 'US', usa: 'US', 'united states of america': 'US', france: 'FR', 'united kingdom': 'GB', uk: 'GB',
  'great britain': 'GB', spain: 'ES', 'españa': 'ES', austria: 'AT', switzerland: 'CH', italy: 'IT', netherlands: 'NL', belgium: 'BE', canada: 'CA',
};
/** CLDR's "unknown region": a country HubSpot holds that the graph cannot read. */
export const UNKNOWN_COUNTRY = 'ZZ';
/** The properties every read asks for. */
export const contactProperties = (s: MapSettings) => [
  'email', 'firstname', 'lastname', 'phone', 'mobilephone', 'date_of_birth', 'hs_language', 'address', 'city', 'state', 'zip', 'country',
  'createdate', 'lastmodifieddate', s.graphIdProperty, s.loyaltyTierProperty,
];

/** E.164 for a number as HubSpot holds it (typed by people: spaces, dashes, a national form), read in the contact's country; null when it is not a number. */
export function toE164(raw: string | null | undefined, country?: string | null): string | null {
  const value = raw?.trim();
  if (!value) return null;
  const parsed = parsePhoneNumberFromString(value.replace(/^00/, '+'), country && /^[A-Z]{2}$/.test(country) && country !== UNKNOWN_COUNTRY ? (country as CountryCode) : undefined);
  return parsed?.isValid() ? parsed.number : null;
}

export type HubspotMapper = ReturnType<typeof createMapper>;

/** Contacts → the graph's customers; a value outside the tables is kept as the nearest safe value and logged once. */
export function createMapper(settings: MapSettings, logger: Logger) {
  const warned = new Set<string>();
  const once = (what: string, value: string, keptAs: string) => {
    const key = `${what}:${value}`;
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn({ property: what, value, keptAs }, 'a HubSpot value the graph does not know: kept as the nearest safe value');
  };
  const text = (c: Contact, name: string) => {
    const v = c.properties[name];
    return v === null || v === undefined || v === '' ? null : v;
  };

  function country(c: Contact): string {
    const raw = text(c, 'country');
    if (!raw) return UNKNOWN_COUNTRY;
    if (/^[A-Za-z]{2}$/.test(raw.trim())) return raw.trim().toUpperCase();
    const code = COUNTRY_NAMES[raw.trim().toLowerCase()];
    if (code) return code;
    once('country', raw, UNKNOWN_COUNTRY);
    return UNKNOWN_COUNTRY;
  }

  function language(c: Contact, countryCode: string): { preferredLanguage: string; locale: string } {
    const raw = text(c, 'hs_language')?.toLowerCase();
    let entry = raw ? LANGUAGES[raw] : undefined;
    if (raw && !entry) {
      // Another option HubSpot adds: its language subtag, or English (the graph's default) when it has none.
      const [primary, region] = raw.split(/[-_]/);
      entry = /^[a-z]{2,3}$/.test(primary) ? { language: primary, region: region && /^[a-z]{2}$/.test(region) ? region.toUpperCase() : null } : { language: 'en', region: null };
      once('hs_language', raw, entry.language);
    }
    const { language: lang, region } = entry ?? { language: 'en', region: null };
    const where = region ?? (countryCode === UNKNOWN_COUNTRY ? null : countryCode);
    return { preferredLanguage: lang, locale: where ? `${lang}-${where}` : lang };
  }

  function loyaltyTier(c: Contact): LoyaltyTier {
    const raw = text(c, settings.loyaltyTierProperty);
    if (!raw) return 'NONE';
    const tier = LOYALTY_TIERS[raw.toLowerCase()];
    if (tier) return tier;
    // A tier the graph does not know grants nothing: NONE.
    once(settings.loyaltyTierProperty, raw, 'NONE');
    return 'NONE';
  }

  function addresses(c: Contact, countryCode: string): Address[] {
    const line1 = text(c, 'address');
    const city = text(c, 'city');
    const postalCode = text(c, 'zip');
    // HubSpot keeps one postal address per contact, with no kind: the graph's default shipping address.
    if (!line1 && !city && !postalCode) return [];
    return [{
      id: `${c.id}-address`, kind: 'SHIPPING', isDefault: true, name: [text(c, 'firstname'), text(c, 'lastname')].filter(Boolean).join(' '),
      line1: line1 ?? '', line2: null, city: city ?? '', region: text(c, 'state'), postalCode: postalCode ?? '', country: countryCode,
    }];
  }

  return {
    customer(c: Contact): Customer {
      const countryCode = country(c);
      const dob = text(c, 'date_of_birth');
      return {
        id: c.id,
        firstName: text(c, 'firstname') ?? '',
        lastName: text(c, 'lastname') ?? '',
        email: (text(c, 'email') ?? '').toLowerCase(),
        phone: toE164(text(c, 'phone'), countryCode) ?? toE164(text(c, 'mobilephone'), countryCode),
        // HubSpot's date_of_birth is free text: an ISO date, or nothing the graph would verify against.
        dateOfBirth: dob && /^\d{4}-\d{2}-\d{2}$/.test(dob) ? dob : null,
        ...language(c, countryCode),
        country: countryCode,
        loyaltyTier: loyaltyTier(c),
        // Consent lives in HubSpot's subscription preferences, not on the contact: no consent is assumed.
        marketingConsent: false,
        createdAt: new Date(c.createdAt),
        updatedAt: new Date(c.updatedAt),
        addresses: addresses(c, countryCode),
      };
    },
    graphIdOf: (c: Contact) => text(c, settings.graphIdProperty),
    /** Every phone number a contact holds, in E.164. */
    phonesOf: (c: Contact) => {
      const countryCode = country(c);
      return [toE164(text(c, 'phone'), countryCode), toE164(text(c, 'mobilephone'), countryCode)].filter((p): p is string => p !== null);
    },
  };
}
