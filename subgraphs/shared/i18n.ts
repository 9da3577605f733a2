/**
 * Human text for every status and reason the graph returns, in the languages customers are served
 * in. One catalog, so the portal, the bots and the brief all say the same thing.
 */
export const LANGUAGES = ['en', 'de', 'fr', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
type Texts = Record<Language, string>;

/** "de-AT" → "de"; anything we do not speak → English. */
export function languageOf(locale: string | null | undefined): Language {
  const language = (locale ?? '').slice(0, 2).toLowerCase();
  return (LANGUAGES as readonly string[]).includes(language) ? (language as Language) : 'en';
}

const t = (en: string, de: string, fr: string, es: string): Texts => ({ en, de, fr, es });

export const CATALOG = {
  orderStatus: {
    PENDING_PAYMENT: t('Awaiting payment', 'Zahlung ausstehend', 'En attente de paiement', 'Pendiente de pago'),
    PROCESSING: t('Being prepared', 'In Bearbeitung', 'En préparation', 'En preparación'),
    PARTIALLY_SHIPPED: t('Partially shipped', 'Teilweise versandt', 'Partiellement expédiée', 'Enviado parcialmente'),
    SHIPPED: t('Shipped', 'Versandt', 'Expédiée', 'Enviado'),
    DELIVERED: t('Delivered', 'Zugestellt', 'Livrée', 'Entregado'),
    CANCELLED: t('Cancelled', 'Storniert', 'Annulée', 'Cancelado'),
    PARTIALLY_RETURNED: t('Partially returned', 'Teilweise zurückgesendet', 'Partiellement retournée', 'Devuelto parcialmente'),
    RETURNED: t('Returned', 'Zurückgesendet', 'Retournée', 'Devuelto'),
  },
  shipmentStatus: {
    LABEL_CREATED: t('Label created', 'Versandetikett erstellt', 'Étiquette créée', 'Etiqueta creada'),
    IN_TRANSIT: t('In transit', 'Unterwegs', 'En transit', 'En tránsito'),
    OUT_FOR_DELIVERY: t('Out for delivery', 'In Zustellung', 'En cours de livraison', 'En reparto'),
    DELIVERED: t('Delivered', 'Zugestellt', 'Livré', 'Entregado'),
    EXCEPTION: t('Delivery problem', 'Zustellproblem', 'Problème de livraison', 'Incidencia en la entrega'),
    RETURNED_TO_SENDER: t('Returned to sender', 'An den Absender zurück', 'Retourné à l’expéditeur', 'Devuelto al remitente'),
  },
  deliveryException: {
    LOST: t('The parcel is lost', 'Das Paket ist verloren gegangen', 'Le colis est perdu', 'El paquete se ha perdido'),
    DAMAGED: t('The parcel was damaged', 'Das Paket wurde beschädigt', 'Le colis a été endommagé', 'El paquete está dañado'),
    ADDRESS_PROBLEM: t('There is a problem with the address', 'Es gibt ein Problem mit der Adresse', 'Il y a un problème d’adresse', 'Hay un problema con la dirección'),
    CUSTOMS_HOLD: t('Held at customs', 'Beim Zoll festgehalten', 'Retenu en douane', 'Retenido en aduanas'),
    DELAYED: t('Delayed', 'Verspätet', 'Retardé', 'Retrasado'),
    FAILED_ATTEMPT: t('Delivery attempt failed', 'Zustellversuch fehlgeschlagen', 'Échec de la tentative de livraison', 'Intento de entrega fallido'),
  },
  returnStatus: {
    REQUESTED: t('Return requested', 'Rücksendung angemeldet', 'Retour demandé', 'Devolución solicitada'),
    APPROVED: t('Return approved', 'Rücksendung genehmigt', 'Retour approuvé', 'Devolución aprobada'),
    IN_TRANSIT: t('Return on its way', 'Rücksendung unterwegs', 'Retour en transit', 'Devolución en camino'),
    RECEIVED: t('Return received', 'Rücksendung eingegangen', 'Retour reçu', 'Devolución recibida'),
    REFUNDED: t('Return refunded', 'Rücksendung erstattet', 'Retour remboursé', 'Devolución reembolsada'),
    REJECTED: t('Return rejected', 'Rücksendung abgelehnt', 'Retour refusé', 'Devolución rechazada'),
    CANCELLED: t('Return cancelled', 'Rücksendung storniert', 'Retour annulé', 'Devolución cancelada'),
  },
  refundStatus: {
    PENDING: t('Refund pending', 'Erstattung ausstehend', 'Remboursement en attente', 'Reembolso pendiente'),
    PROCESSING: t('Refund in progress', 'Erstattung in Bearbeitung', 'Remboursement en cours', 'Reembolso en curso'),
    SUCCEEDED: t('Refunded', 'Erstattet', 'Remboursé', 'Reembolsado'),
    FAILED: t('Refund failed', 'Erstattung fehlgeschlagen', 'Échec du remboursement', 'Reembolso fallido'),
    CANCELLED: t('Refund cancelled', 'Erstattung storniert', 'Remboursement annulé', 'Reembolso cancelado'),
  },
  paymentStatus: {
    AWAITING_PAYMENT: t('Awaiting payment', 'Zahlung ausstehend', 'Paiement attendu', 'Pago pendiente'),
    AUTHORIZED: t('Authorized', 'Autorisiert', 'Autorisé', 'Autorizado'),
    CAPTURED: t('Paid', 'Bezahlt', 'Payé', 'Pagado'),
    PARTIALLY_REFUNDED: t('Partially refunded', 'Teilweise erstattet', 'Partiellement remboursé', 'Reembolsado parcialmente'),
    REFUNDED: t('Refunded', 'Erstattet', 'Remboursé', 'Reembolsado'),
    FAILED: t('Payment failed', 'Zahlung fehlgeschlagen', 'Paiement échoué', 'Pago fallido'),
    VOIDED: t('Cancelled', 'Storniert', 'Annulé', 'Anulado'),
  },
  disputeStatus: {
    NEEDS_RESPONSE: t('Chargeback opened', 'Rückbuchung eröffnet', 'Contestation ouverte', 'Contracargo abierto'),
    UNDER_REVIEW: t('Chargeback under review', 'Rückbuchung in Prüfung', 'Contestation en cours d’examen', 'Contracargo en revisión'),
    WON: t('Chargeback decided for the shop', 'Rückbuchung zugunsten des Shops entschieden', 'Contestation tranchée en faveur de la boutique', 'Contracargo resuelto a favor de la tienda'),
    LOST: t('Chargeback decided for the customer', 'Rückbuchung zugunsten der Kundin/des Kunden entschieden', 'Contestation tranchée en faveur du client', 'Contracargo resuelto a favor del cliente'),
    CLOSED: t('Chargeback closed', 'Rückbuchung abgeschlossen', 'Contestation close', 'Contracargo cerrado'),
  },
  returnEligibility: {
    ELIGIBLE: t('Can be returned', 'Kann zurückgegeben werden', 'Peut être retourné', 'Se puede devolver'),
    FINAL_SALE: t('Final sale: not returnable', 'Endverkauf: vom Umtausch ausgeschlossen', 'Vente finale : non retournable', 'Venta final: sin devolución'),
    NOT_RETURNABLE_CATEGORY: t('This kind of product cannot be returned', 'Diese Produktart ist von der Rückgabe ausgeschlossen', 'Ce type de produit ne peut pas être retourné', 'Este tipo de producto no admite devolución'),
    WINDOW_CLOSED: t('The return period has ended', 'Die Rückgabefrist ist abgelaufen', 'Le délai de retour est dépassé', 'El plazo de devolución ha terminado'),
    NOT_DELIVERED: t('Not delivered yet: returns open on delivery', 'Noch nicht zugestellt: Rückgabe ab Zustellung möglich', 'Pas encore livré : retour possible après livraison', 'Aún no entregado: se puede devolver tras la entrega'),
    ALREADY_RETURNED: t('Already returned', 'Bereits zurückgegeben', 'Déjà retourné', 'Ya devuelto'),
    ORDER_CANCELLED: t('The order was cancelled', 'Die Bestellung wurde storniert', 'La commande a été annulée', 'El pedido fue cancelado'),
  },
  channel: {
    PORTAL: t('portal', 'Kundenportal', 'espace client', 'portal'),
    CHAT: t('chat', 'Chat', 'chat', 'chat'),
    VOICE: t('phone', 'Telefon', 'téléphone', 'teléfono'),
    EMAIL: t('email', 'E-Mail', 'e-mail', 'correo'),
    SMS: t('SMS', 'SMS', 'SMS', 'SMS'),
    SOCIAL: t('social media', 'soziale Medien', 'réseaux sociaux', 'redes sociales'),
    HUMAN_DESK: t('agent desk', 'Kundenservice', 'service client', 'atención al cliente'),
  },
  intent: {
    WHERE_IS_MY_ORDER: t('where is my order', 'Wo ist meine Bestellung', 'où est ma commande', 'dónde está mi pedido'),
    RETURN: t('return', 'Rücksendung', 'retour', 'devolución'),
    REFUND_STATUS: t('refund status', 'Erstattungsstatus', 'état du remboursement', 'estado del reembolso'),
    PAYMENT_DISPUTE: t('payment dispute', 'Zahlungsreklamation', 'litige de paiement', 'disputa de pago'),
    ADDRESS_CHANGE: t('address change', 'Adressänderung', 'changement d’adresse', 'cambio de dirección'),
    PRODUCT_QUESTION: t('product question', 'Produktfrage', 'question produit', 'pregunta sobre producto'),
    OTHER: t('other', 'Sonstiges', 'autre', 'otro'),
  },
  outcome: {
    RESOLVED: t('resolved', 'gelöst', 'résolu', 'resuelto'),
    ABANDONED: t('abandoned', 'abgebrochen', 'abandonné', 'abandonado'),
    ESCALATED: t('escalated', 'eskaliert', 'escaladé', 'escalado'),
    IN_PROGRESS: t('in progress', 'in Bearbeitung', 'en cours', 'en curso'),
  },
  loyaltyTier: {
    NONE: t('no tier', 'ohne Stufe', 'sans niveau', 'sin nivel'),
    BRONZE: t('Bronze', 'Bronze', 'Bronze', 'Bronce'),
    SILVER: t('Silver', 'Silber', 'Argent', 'Plata'),
    GOLD: t('Gold', 'Gold', 'Or', 'Oro'),
    PLATINUM: t('Platinum', 'Platin', 'Platine', 'Platino'),
  },
} satisfies Record<string, Record<string, Texts>>;

export type CatalogGroup = keyof typeof CATALOG;

/** The text for a status or reason in the locale's language (English for an unknown language). */
export function text<G extends CatalogGroup>(group: G, key: keyof (typeof CATALOG)[G] & string, locale?: string | null): string {
  const entry = (CATALOG[group] as Record<string, Texts>)[key];
  return entry ? entry[languageOf(locale)] : key;
}

/** Intl objects are costly to build and cheap to use: one per locale (and kind), reused. */
function memoized<T>(make: (locale: string) => T, fallback: string): (locale: string) => T {
  const made = new Map<string, T>();
  return (locale) => {
    let value = made.get(locale);
    if (!value) {
      try {
        value = make(locale);
      } catch {
        value = make(fallback);
      }
      if (made.size < 1_000) made.set(locale, value);
    }
    return value;
  };
}

const dateFormat = memoized((locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }), 'en');
const languageNames = memoized((locale) => new Intl.DisplayNames([locale], { type: 'language' }), 'en');
const regionNames = memoized((locale) => new Intl.DisplayNames([locale], { type: 'region' }), 'en');

/** A calendar date (UTC) as people in the locale write it ("21.11.2026", "Nov 21, 2026"). */
export function formatDate(date: Date, locale?: string | null): string {
  return dateFormat(locale ?? 'en').format(date);
}

/** "de" in the locale's words ("Deutsch", "German"). */
export const languageName = (code: string, locale: string) => languageNames(locale).of(code) ?? code;
/** "DE" in the locale's words ("Deutschland", "Germany"). */
export function regionName(code: string, locale: string): string {
  try {
    return regionNames(locale).of(code) ?? code;
  } catch {
    return code;
  }
}
