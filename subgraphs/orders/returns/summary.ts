import { formatDate, languageOf, regionName, type Language } from '../../shared/i18n';
import type { PolicyAnswer } from './policy';

const SENTENCES: Record<Language, { window: string; never: string; legal: string; extended: string }> = {
  en: {
    window: '{category} delivered to {country} can be returned within {days} days of delivery.',
    never: '{category} delivered to {country} cannot be returned.',
    legal: ' The statutory minimum there is {legal} days.',
    extended: ' Orders placed now can be returned until at least {date}.',
  },
  de: {
    window: 'Artikel der Kategorie „{category}“ mit Lieferung nach {country} können innerhalb von {days} Tagen nach Zustellung zurückgegeben werden.',
    never: 'Artikel der Kategorie „{category}“ mit Lieferung nach {country} sind von der Rückgabe ausgeschlossen.',
    legal: ' Gesetzlich gelten dort mindestens {legal} Tage.',
    extended: ' Jetzt bestellte Artikel können mindestens bis {date} zurückgegeben werden.',
  },
  fr: {
    window: 'Livraison : {country}. Les articles « {category} » peuvent être retournés dans les {days} jours suivant la livraison.',
    never: 'Livraison : {country}. Les articles « {category} » ne peuvent pas être retournés.',
    legal: ' Le minimum légal y est de {legal} jours.',
    extended: ' Les commandes passées maintenant peuvent être retournées au moins jusqu’au {date}.',
  },
  es: {
    window: 'Los artículos de la categoría «{category}» enviados a {country} se pueden devolver en los {days} días siguientes a la entrega.',
    never: 'Los artículos de la categoría «{category}» enviados a {country} no se pueden devolver.',
    legal: ' El mínimo legal allí es de {legal} días.',
    extended: ' Los pedidos realizados ahora se pueden devolver al menos hasta el {date}.',
  },
};

const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));

/** The policy answer as one or two sentences, for the portal, the bots and agents alike. */
export function describePolicy(policy: PolicyAnswer, args: { locale?: string | null }): string {
  const locale = args.locale ?? 'en';
  const s = SENTENCES[languageOf(locale)];
  const category = languageOf(locale) === 'en' ? policy.category.charAt(0).toUpperCase() + policy.category.slice(1) : policy.category;
  const values = { category, country: regionName(policy.country, locale), days: policy.windowDays ?? 0, legal: policy.legalMinimumDays ?? 0 };
  if (!policy.returnable) return fill(s.never, values);
  let sentence = fill(s.window, values);
  if (policy.legalMinimumDays && policy.legalMinimumDays >= (policy.windowDays ?? 0)) sentence += fill(s.legal, values);
  if (policy.extendedUntil) sentence += fill(s.extended, { date: formatDate(policy.extendedUntil, locale) });
  return sentence;
}
