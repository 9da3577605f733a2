// @ts-check
import { h } from './dom.js';

/**
 * The context view: what the graph knows about the verified caller, open handoffs first. Pure
 * rendering: the data and what the agent has asked for in, elements out; actions are callbacks.
 */

/**
 * @typedef {object} View
 * @property {(group: string, code: string) => string} say  a status, channel or intent in the customer's language
 * @property {(iso: string | null | undefined) => string} when  a moment in the customer's format
 * @property {Record<string, any>} eligibility  ReturnEligibility answers by order id
 * @property {Record<string, any>} returns  InitiateReturn answers by order id
 * @property {Record<string, string>} notes  the outcome of the last action, by what it acted on
 * @property {string[]} busy  what is being sent now (its buttons are disabled)
 * @property {Record<string, (...args: any[]) => void>} act
 */

export const RETURN_REASONS = ['DOES_NOT_FIT', 'DAMAGED', 'WRONG_ITEM', 'NOT_AS_DESCRIBED', 'CHANGED_MIND', 'ARRIVED_LATE', 'OTHER'];
export const OUTCOMES = ['RESOLVED', 'IN_PROGRESS', 'ABANDONED', 'ESCALATED'];
export const INTENTS = ['WHERE_IS_MY_ORDER', 'RETURN', 'REFUND_STATUS', 'PAYMENT_DISPUTE', 'ADDRESS_CHANGE', 'PRODUCT_QUESTION', 'OTHER'];

/** @param {string} text */
const words = (text) => text.toLowerCase().replace(/_/g, ' ');

/** @param {View} v @param {string} key */
const note = (v, key) => (v.notes[key] ? h('p', { class: 'note', role: 'status' }, v.notes[key]) : null);

/** @param {any} customer @param {View} v */
export function contextView(customer, v) {
  return [
    h('h2', { class: 'visually-hidden' }, 'Customer context'),
    handoffsView(customer, v),
    h('section', { 'aria-labelledby': 'brief-title', class: 'card' }, h('h3', { id: 'brief-title' }, 'Brief'), h('p', { class: 'brief' }, customer.brief ?? 'No brief: a system it summarizes did not answer.')),
    ordersView(customer, v),
    balanceView(customer, v),
    timelineView(customer, v),
  ];
}

/** @param {any} customer @param {View} v */
function handoffsView(customer, v) {
  const handoffs = customer.openHandoffs ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'handoffs-title', id: 'handoffs', class: handoffs.length ? 'card urgent' : 'card' },
    h('h3', { id: 'handoffs-title' }, `Open handoffs (${handoffs.length})`),
    handoffs.length ? null : h('p', null, 'None: nothing is waiting for a channel.'),
    handoffs.map((/** @type {any} */ ho) =>
      h(
        'article',
        { class: 'handoff', 'aria-labelledby': `ho-${ho.id}`, 'data-handoff': ho.id },
        h('h4', { id: `ho-${ho.id}` }, `${v.say('intent', ho.intent)} · ${v.say('channel', ho.fromChannel)} → ${v.say('channel', ho.toChannel)}`, ho.order ? ` · ${ho.order.number}` : ''),
        h('p', { class: 'meta' }, `${words(ho.status)} · opened ${v.when(ho.createdAt)}`, ho.acceptedBy ? ` · taken by ${ho.acceptedBy} ${v.when(ho.acceptedAt)}` : '', ho.sentiment ? ` · sentiment ${words(ho.sentiment)}` : ''),
        h('dl', null,
          h('dt', null, 'Why it failed'), h('dd', { class: 'reason' }, ho.failureReason),
          h('dt', null, 'What was tried'), h('dd', null, ho.stepsTried.length ? h('ol', null, ho.stepsTried.map((/** @type {string} */ s) => h('li', null, s))) : 'nothing recorded'),
          h('dt', null, 'Summary'), h('dd', null, ho.summary),
          h('dt', null, 'Items'), h('dd', null, ho.lineItems.length ? h('ul', null, ho.lineItems.map((/** @type {any} */ li) => h('li', null, li ? `${li.quantity} × ${li.title} (${li.sku})` : 'an item the OMS no longer knows'))) : 'none named'),
        ),
        ho.status === 'OPEN'
          ? h('button', { type: 'button', id: `accept-${ho.id}`, disabled: v.busy.includes(ho.id), onclick: () => v.act.accept(ho.id) }, 'Accept handoff')
          : h(
              'form',
              { class: 'inline', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); v.act.resolve(ho.id, e.target); } },
              h('label', { for: `resolve-outcome-${ho.id}` }, 'Outcome'),
              h('select', { id: `resolve-outcome-${ho.id}`, name: 'outcome' }, OUTCOMES.map((o) => h('option', { value: o }, v.say('outcome', o)))),
              h('label', { for: `resolve-summary-${ho.id}` }, 'What was done'),
              h('input', { id: `resolve-summary-${ho.id}`, name: 'summary', required: true, maxlength: 500, size: 32 }),
              h('button', { id: `resolve-${ho.id}`, disabled: v.busy.includes(ho.id) }, 'Resolve handoff'),
            ),
        note(v, ho.id),
      ),
    ),
  );
}

/** @param {any} customer @param {View} v */
function ordersView(customer, v) {
  const orders = customer.activeOrders;
  return h(
    'section',
    { 'aria-labelledby': 'orders-title', class: 'card' },
    h('h3', { id: 'orders-title' }, 'Orders of the last 90 days'),
    orders === null ? h('p', { class: 'warn' }, 'The order system did not answer.') : orders.length ? null : h('p', null, 'No recent orders.'),
    (orders ?? []).map((/** @type {any} */ order) =>
      h(
        'article',
        { class: 'order', 'aria-labelledby': `order-${order.id}`, 'data-order': order.number },
        h('h4', { id: `order-${order.id}` }, `${order.number} · `, h('span', { class: `status s-${order.status.toLowerCase()}` }, order.statusText), ` · ${order.placedOn} · ${order.total.formatted}`),
        h('ul', { class: 'items' }, order.lineItems.map((/** @type {any} */ li) => h('li', null, `${li.quantity} × ${li.title} (${li.sku})`, li.finalSale ? h('span', { class: 'tag' }, 'final sale') : null))),
        facts('Parcels', order.shipments, (/** @type {any} */ s) => [
          `${s.carrierName} ${s.trackingNumber}: `, h('span', { class: `status s-${s.status.toLowerCase()}` }, s.statusText),
          s.estimatedDeliveryOn ? ` · expected ${s.estimatedDeliveryOn}` : '', s.exception ? h('strong', { class: 'warn' }, ` · ${s.exception.text}`) : '',
        ]),
        facts('Returns', order.returns, (/** @type {any} */ r) => `${r.rma}: ${r.statusText}`),
        facts('Refunds', order.refunds, (/** @type {any} */ r) => `${r.amount.formatted}: ${r.statusText}${r.expectedOn ? ` · expected ${r.expectedOn}` : ''}`),
        facts('Payments', order.payments, (/** @type {any} */ p) => `${p.amount.formatted}: ${p.statusText} · ${p.method.brand ?? words(p.method.type)}${p.method.last4 ? ` •••• ${p.method.last4}` : ''}`),
        h('button', { type: 'button', id: `eligibility-${order.id}`, disabled: v.busy.includes(order.id), onclick: () => v.act.eligibility(order.id) }, 'Check return eligibility'),
        v.eligibility[order.id] ? returnForm(order, v) : null,
        note(v, order.id),
      ),
    ),
  );
}

/**
 * @param {string} title
 * @param {any[] | null} list
 * @param {(item: any) => import('./dom.js').Child} line
 */
function facts(title, list, line) {
  if (list === null) return h('p', { class: 'warn' }, `${title}: the system did not answer.`);
  if (!list.length) return null;
  return h('div', { class: 'facts' }, h('span', { class: 'label' }, `${title}:`), h('ul', null, list.map((item) => h('li', null, line(item)))));
}

/** @param {any} order @param {View} v */
function returnForm(order, v) {
  const rows = v.eligibility[order.id].returnEligibility;
  const answer = v.returns[order.id];
  return h(
    'form',
    { class: 'return', 'aria-label': `Return from ${order.number}`, onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); v.act.initiateReturn(order.id, e.target); } },
    h('table', null,
      h('caption', null, `Return eligibility, ${order.number}`),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Return'), h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col' }, 'Eligibility'), h('th', { scope: 'col' }, 'Until'))),
      h('tbody', null, rows.map((/** @type {any} */ row) => {
        const id = `ret-${order.id}-${row.lineItem.id}`;
        return h('tr', { class: row.eligible ? '' : 'ineligible' },
          h('td', null, h('input', { type: 'checkbox', id, name: `item:${row.lineItem.id}`, value: String(row.lineItem.quantity), 'aria-label': `Return ${row.lineItem.title}` })),
          h('td', null, h('label', { for: id }, `${row.lineItem.quantity} × ${row.lineItem.title}`)),
          h('td', null, row.reasonText),
          h('td', null, row.returnableUntilText ?? '–'),
        );
      })),
    ),
    h('label', { for: `ret-reason-${order.id}` }, 'Reason'),
    h('select', { id: `ret-reason-${order.id}`, name: 'reason' }, RETURN_REASONS.map((r) => h('option', { value: r }, words(r)))),
    h('button', { id: `ret-submit-${order.id}`, disabled: v.busy.includes(order.id) }, 'Initiate return'),
    answer ? returnAnswer(answer) : null,
  );
}

/** @param {any} answer */
function returnAnswer(answer) {
  if (answer.status === 'REFUSED') {
    return h('div', { class: 'refused', role: 'alert' },
      h('p', null, h('strong', null, 'Refused: nothing was created.')),
      h('ul', null, answer.refusals.map((/** @type {any} */ r) => h('li', null, `${r.lineItem.title}: ${r.reasonText}`))),
    );
  }
  const ret = answer.return;
  return h('div', { class: 'created', role: 'status' },
    h('p', null, h('strong', null, `Return ${ret.rma} created`), ` (${words(ret.status)})`),
    h('ul', null,
      (ret.labels ?? []).map((/** @type {any} */ l) => h('li', null, `Label: ${l.carrier} ${l.trackingNumber} `, h('a', { href: l.labelUrl, target: '_blank', rel: 'noreferrer' }, 'open label'))),
      (ret.refunds ?? []).map((/** @type {any} */ r) => h('li', null, `Refund of ${r.amount.formatted} expected`, r.expectedBy ? ` by ${r.expectedBy.slice(0, 10)}` : '')),
    ),
  );
}

/** @param {any} customer @param {View} v */
function balanceView(customer, v) {
  const balances = customer.openBalances;
  const disputes = customer.disputes;
  const today = new Date().toISOString().slice(0, 10);
  const latest = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  return h(
    'section',
    { 'aria-labelledby': 'balance-title', class: 'card' },
    h('h3', { id: 'balance-title' }, 'Open balance and disputes'),
    balances === null ? h('p', { class: 'warn' }, 'The payment system did not answer.') : balances.length ? null : h('p', null, 'Nothing is owed.'),
    (balances ?? []).map((/** @type {any} */ b) =>
      h('div', { class: 'balance', 'data-currency': b.currency },
        h('p', null, h('strong', null, b.outstanding.formatted), ' outstanding', b.overdue.amountMinor > 0 ? h('span', { class: 'warn' }, `, ${b.overdue.formatted} overdue`) : '', b.nextDueAt ? ` · next due ${v.when(b.nextDueAt)}` : ''),
        b.promises.length ? h('ul', null, b.promises.map((/** @type {any} */ p) => h('li', null, `Promised: ${p.amount.formatted} by ${p.promisedForText} (${words(p.status)})`))) : null,
        h('form', { class: 'inline', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); v.act.promise(b.currency, e.target); } },
          h('label', { for: `ptp-date-${b.currency}` }, 'Promise to pay by'),
          h('input', { type: 'date', id: `ptp-date-${b.currency}`, name: 'promisedFor', required: true, min: today, max: latest }),
          h('label', { for: `ptp-note-${b.currency}` }, 'Note'),
          h('input', { id: `ptp-note-${b.currency}`, name: 'note', maxlength: 200, size: 20 }),
          h('button', { id: `ptp-${b.currency}`, disabled: v.busy.includes(`ptp-${b.currency}`) }, 'Record promise'),
        ),
        note(v, `ptp-${b.currency}`),
      ),
    ),
    disputes === null ? h('p', { class: 'warn' }, 'Disputes: the payment system did not answer.') : disputes.length ? h('ul', { class: 'disputes' }, disputes.map((/** @type {any} */ d) =>
      h('li', null, `${d.order?.number ?? 'an order'}: ${d.statusText}, ${d.amount.formatted} (${words(d.reason)})`, d.respondBy ? ` · respond by ${v.when(d.respondBy)}` : ''),
    )) : h('p', null, 'No open disputes.'),
  );
}

/** @param {any} customer @param {View} v */
function timelineView(customer, v) {
  return h(
    'section',
    { 'aria-labelledby': 'timeline-title', class: 'card' },
    h('h3', { id: 'timeline-title' }, 'Contacts across channels'),
    customer.interactions.length ? null : h('p', null, 'No contacts yet.'),
    h('ol', { class: 'timeline' }, customer.interactions.map((/** @type {any} */ i) =>
      h('li', { 'data-interaction': i.id },
        h('p', { class: 'meta' }, h('strong', null, v.say('channel', i.channel)), ` · ${v.when(i.occurredAt)} · ${v.say('intent', i.intent)} · ${v.say('outcome', i.outcome)}`, i.order ? ` · ${i.order.number}` : '', i.agentId ? ` · ${i.agentId}` : ''),
        i.summary ? h('p', null, i.summary) : null,
        i.failureReason ? h('p', { class: 'reason' }, `Failed: ${i.failureReason}`) : null,
        i.stepsTried.length ? h('p', { class: 'steps' }, `Tried: ${i.stepsTried.join(' → ')}`) : null,
      ),
    )),
  );
}
