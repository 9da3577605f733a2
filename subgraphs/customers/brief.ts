import { CATALOG, formatDate, languageName as nameOfLanguage, languageOf, text, type Language } from '../shared/i18n';
import { formatMoney, type Money } from '../shared/money';
import type { Customer, Handoff, Interaction } from './port';

/** What the gateway fetched from the other systems for the brief (Customer.brief's @requires). */
export interface BriefOrder {
  number: string;
  status: keyof typeof CATALOG.orderStatus;
  placedAt: string;
  total: Money;
  lineItems: { title: string; quantity: number }[];
  // Null when the system that owns them did not answer: the brief is written from what there is.
  shipments: { status: keyof typeof CATALOG.shipmentStatus; carrierName: string; estimatedDeliveryAt: string | null; exception: { kind: keyof typeof CATALOG.deliveryException } | null }[] | null;
  returns: { rma: string; status: keyof typeof CATALOG.returnStatus }[];
  refunds: { status: keyof typeof CATALOG.refundStatus; amount: Money; expectedBy: string | null }[] | null;
  disputes: { status: keyof typeof CATALOG.disputeStatus }[] | null;
}

export interface BriefBalance {
  outstanding: Money;
  overdue: Money;
  promises: { promisedFor: string }[];
}

export interface BriefInput {
  customer: Customer;
  // What the gateway fetched for the brief: an entry a failing system left unfilled arrives as null.
  // Null when the OMS did not answer at all: the brief then says so rather than that there are no orders.
  activeOrders: (BriefOrder | null)[] | null;
  openBalances: (BriefBalance | null)[];
  interactions: Interaction[];
  /** Every unresolved handoff, newest first: each is named, so an agent can take any of them. */
  openHandoffs: Handoff[];
}

export const BRIEF_MAX_LENGTH = 1_000;
const MAX_ORDERS = 3;
const MAX_ITEMS = 3;
const MAX_CONTACTS = 2;
/** Handoffs described in full; any beyond are named by id on one line. */
const MAX_HANDOFFS = 3;

const PHRASES: Record<Language, Record<string, string>> = {
  en: {
    customer: '{name}, speaks {language}.',
    tier: '{name}, {tier} member, speaks {language}.',
    handoff: 'OPEN HANDOFF {id} from {channel} ({date}, {status}), {intent}: {reason}. Tried: {steps}. Summary: {summary}',
    moreHandoffs: '{count} more open handoffs: {ids}.',
    order: 'Order {number} of {date}, {total}: {status}.',
    items: 'Items: {items}.',
    more: '+{count} more',
    parcel: 'Parcel {carrier}: {status}',
    eta: 'expected {date}',
    ret: 'Return {rma}: {status}.',
    refund: 'Refund {amount}: {status}',
    refundBy: 'expected by {date}',
    dispute: '{status}.',
    balance: 'Open balance {outstanding}, overdue {overdue}.',
    promise: 'Promised to pay by {date}.',
    contacts: 'Last contacts: {contacts}.',
    noOrders: 'No orders in the last 90 days.',
    unreadOrders: 'Recent orders that could not be read right now: {count}.',
    ordersUnavailable: 'Orders could not be read right now.',
    accepted: 'accepted',
    open: 'waiting',
  },
  de: {
    customer: '{name}, spricht {language}.',
    tier: '{name}, Treuestufe {tier}, spricht {language}.',
    handoff: 'OFFENE ÜBERGABE {id} von {channel} ({date}, {status}), {intent}: {reason}. Versucht: {steps}. Zusammenfassung: {summary}',
    moreHandoffs: '{count} weitere offene Übergaben: {ids}.',
    order: 'Bestellung {number} vom {date}, {total}: {status}.',
    items: 'Artikel: {items}.',
    more: '+{count} weitere',
    parcel: 'Paket {carrier}: {status}',
    eta: 'erwartet {date}',
    ret: 'Rücksendung {rma}: {status}.',
    refund: 'Erstattung {amount}: {status}',
    refundBy: 'erwartet bis {date}',
    dispute: '{status}.',
    balance: 'Offener Saldo {outstanding}, überfällig {overdue}.',
    promise: 'Zahlung zugesagt bis {date}.',
    contacts: 'Letzte Kontakte: {contacts}.',
    noOrders: 'Keine Bestellungen in den letzten 90 Tagen.',
    unreadOrders: 'Gerade nicht lesbare neuere Bestellungen: {count}.',
    ordersUnavailable: 'Bestellungen gerade nicht lesbar.',
    accepted: 'angenommen',
    open: 'wartet',
  },
  fr: {
    customer: '{name}, parle {language}.',
    tier: '{name}, fidélité {tier}, parle {language}.',
    handoff: 'TRANSFERT OUVERT {id} depuis {channel} ({date}, {status}), {intent} : {reason}. Essayé : {steps}. Résumé : {summary}',
    moreHandoffs: '{count} autres transferts ouverts : {ids}.',
    order: 'Commande {number} du {date}, {total} : {status}.',
    items: 'Articles : {items}.',
    more: '+{count} autres',
    parcel: 'Colis {carrier} : {status}',
    eta: 'prévu le {date}',
    ret: 'Retour {rma} : {status}.',
    refund: 'Remboursement {amount} : {status}',
    refundBy: 'prévu au plus tard le {date}',
    dispute: '{status}.',
    balance: 'Solde ouvert {outstanding}, en retard {overdue}.',
    promise: 'Paiement promis pour le {date}.',
    contacts: 'Derniers contacts : {contacts}.',
    noOrders: 'Aucune commande ces 90 derniers jours.',
    unreadOrders: 'Commandes récentes illisibles pour le moment : {count}.',
    ordersUnavailable: 'Commandes illisibles pour le moment.',
    accepted: 'accepté',
    open: 'en attente',
  },
  es: {
    customer: '{name}, habla {language}.',
    tier: '{name}, nivel {tier}, habla {language}.',
    handoff: 'TRASPASO ABIERTO {id} desde {channel} ({date}, {status}), {intent}: {reason}. Intentado: {steps}. Resumen: {summary}',
    moreHandoffs: '{count} traspasos abiertos más: {ids}.',
    order: 'Pedido {number} del {date}, {total}: {status}.',
    items: 'Artículos: {items}.',
    more: '+{count} más',
    parcel: 'Paquete {carrier}: {status}',
    eta: 'previsto el {date}',
    ret: 'Devolución {rma}: {status}.',
    refund: 'Reembolso {amount}: {status}',
    refundBy: 'previsto antes del {date}',
    dispute: '{status}.',
    balance: 'Saldo pendiente {outstanding}, vencido {overdue}.',
    promise: 'Pago prometido para el {date}.',
    contacts: 'Últimos contactos: {contacts}.',
    noOrders: 'Sin pedidos en los últimos 90 días.',
    unreadOrders: 'Pedidos recientes que no se pueden leer ahora: {count}.',
    ordersUnavailable: 'No se pueden leer los pedidos ahora.',
    accepted: 'aceptado',
    open: 'en espera',
  },
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? '');
const clip = (value: string, max: number) => (value.length <= max ? value : `${value.slice(0, max - 1).trimEnd()}…`);

/**
 * The customer's situation now, in their language, in at most BRIEF_MAX_LENGTH characters: a
 * template over the same data every channel sees (no model call), the most urgent first.
 */
export function renderBrief(input: BriefInput): string {
  const { customer } = input;
  const locale = customer.locale;
  const lang = languageOf(locale);
  const p = PHRASES[lang];
  const date = (iso: string | Date) => formatDate(new Date(iso), locale);
  const languageName = nameOfLanguage(customer.preferredLanguage, locale);

  const sections: string[] = [
    fill(customer.loyaltyTier === 'NONE' ? p.customer : p.tier, {
      name: `${customer.firstName} ${customer.lastName}`,
      tier: text('loyaltyTier', customer.loyaltyTier, locale),
      language: languageName,
    }),
  ];
  // Several open handoffs share the room one had, so that each is named and the orders still fit.
  const room = input.openHandoffs.length > 1 ? 1 / 3 : 1;
  for (const handoff of input.openHandoffs.slice(0, MAX_HANDOFFS)) {
    sections.push(
      fill(p.handoff, {
        id: handoff.id,
        channel: text('channel', handoff.fromChannel, locale),
        date: date(handoff.createdAt),
        status: handoff.status === 'ACCEPTED' ? p.accepted : p.open,
        intent: text('intent', handoff.intent, locale),
        reason: clip(handoff.failureReason, Math.round(120 * room)),
        steps: clip(handoff.stepsTried.join(', ') || '-', Math.round(120 * room)),
        summary: clip(handoff.summary, Math.round(160 * room)),
      }),
    );
  }
  const unnamed = input.openHandoffs.slice(MAX_HANDOFFS);
  if (unnamed.length) sections.push(fill(p.moreHandoffs, { count: String(unnamed.length), ids: unnamed.map((h) => h.id).join(', ') }));
  // Written from what there is: an order a failing system left unfilled is counted, never guessed at.
  const known = (input.activeOrders ?? []).filter((order): order is BriefOrder => order !== null);
  const unread = (input.activeOrders ?? []).length - known.length;
  const orders = known.slice(0, MAX_ORDERS).map((order) => {
    const parts = [fill(p.order, { number: order.number, date: date(order.placedAt), total: formatMoney(order.total, locale), status: text('orderStatus', order.status, locale) })];
    const items = order.lineItems.slice(0, MAX_ITEMS).map((i) => `${i.quantity}× ${i.title}`);
    if (order.lineItems.length > MAX_ITEMS) items.push(fill(p.more, { count: String(order.lineItems.length - MAX_ITEMS) }));
    if (items.length) parts.push(fill(p.items, { items: items.join(', ') }));
    for (const s of order.shipments ?? []) {
      let parcel = fill(p.parcel, { carrier: s.carrierName, status: text('shipmentStatus', s.status, locale) });
      if (s.exception) parcel += ` – ${text('deliveryException', s.exception.kind, locale)}`;
      // An ETA means nothing for a parcel that is lost or stuck.
      if (s.estimatedDeliveryAt && s.status !== 'DELIVERED' && !s.exception) parcel += `, ${fill(p.eta, { date: date(s.estimatedDeliveryAt) })}`;
      parts.push(`${parcel}.`);
    }
    for (const r of order.returns) parts.push(fill(p.ret, { rma: r.rma, status: text('returnStatus', r.status, locale) }));
    for (const r of order.refunds ?? []) {
      let refund = fill(p.refund, { amount: formatMoney(r.amount, locale), status: text('refundStatus', r.status, locale) });
      if (r.expectedBy && (r.status === 'PENDING' || r.status === 'PROCESSING')) refund += `, ${fill(p.refundBy, { date: date(r.expectedBy) })}`;
      parts.push(`${refund}.`);
    }
    for (const d of order.disputes ?? []) parts.push(fill(p.dispute, { status: text('disputeStatus', d.status, locale) }));
    return clip(parts.join(' '), 320);
  });
  if (unread) sections.push(fill(p.unreadOrders, { count: String(unread) }));
  if (!input.activeOrders) sections.push(p.ordersUnavailable);
  else sections.push(...(orders.length || unread ? orders : [p.noOrders]));
  for (const balance of input.openBalances) {
    if (!balance) continue;
    let line = fill(p.balance, { outstanding: formatMoney(balance.outstanding, locale), overdue: formatMoney(balance.overdue, locale) });
    const promise = balance.promises[0];
    if (promise) line += ` ${fill(p.promise, { date: date(`${promise.promisedFor}T12:00:00Z`) })}`;
    sections.push(line);
  }
  const contacts = input.interactions
    .slice(0, MAX_CONTACTS)
    .map((i) => `${date(i.occurredAt)} ${text('channel', i.channel, locale)}, ${text('intent', i.intent, locale)}: ${text('outcome', i.outcome, locale)}`);
  if (contacts.length) sections.push(fill(p.contacts, { contacts: contacts.join('; ') }));

  // Most urgent first; whatever does not fit is left out whole, and a last guard keeps the bound.
  let brief = '';
  for (const section of sections) {
    const next = brief ? `${brief}\n${section}` : section;
    if (next.length > BRIEF_MAX_LENGTH) break;
    brief = next;
  }
  return clip(brief || sections[0], BRIEF_MAX_LENGTH);
}
