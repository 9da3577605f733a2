// @ts-check
import { claimsOf, createGraphClient, GraphError } from './api.js';
import { fields, h, replace } from './dom.js';
import { contextView, INTENTS, OUTCOMES } from './view.js';

/**
 * The agent desk: sign in, find the caller (identify), verify them, then their context, kept live,
 * and the actions of a call. One state object; every change re-renders the region it touches.
 */

/** How often the open call's context is read again: another channel's change shows within 2 s. */
const POLL_MS = 1_000;
const CHANNEL = 'HUMAN_DESK';
const FIND_BY = /** @type {const} */ ({
  ORDER_NUMBER: { label: 'Order number', operation: 'IdentifyByOrderNumber', variable: 'orderNumber', field: 'identifyByOrderNumber', type: 'text', autocomplete: 'off' },
  PHONE: { label: 'Phone', operation: 'IdentifyByPhone', variable: 'phone', field: 'identifyByPhone', type: 'tel', autocomplete: 'off' },
  EMAIL: { label: 'Email', operation: 'IdentifyByEmail', variable: 'email', field: 'identifyByEmail', type: 'email', autocomplete: 'off' },
});
const METHOD_LABELS = { POSTAL_CODE: 'Postal code of a shipping address', PHONE_LAST4: 'Last 4 digits of the phone number', EMAIL: 'Email address', DATE_OF_BIRTH: 'Date of birth' };

/** @type {{ operations: Record<string, string>, texts: Record<string, Record<string, Record<string, string>>>, demoSignIn: boolean, verificationMethods: Record<string, string[]> }} */
let settings;
const state = {
  /** @type {string | undefined} */ token: undefined,
  /** @type {string | undefined} */ agentId: undefined,
  /** @type {keyof typeof FIND_BY} */ findBy: 'ORDER_NUMBER',
  /** @type {any[] | undefined} */ matches: undefined,
  /** @type {any} */ selected: undefined,
  /** @type {any} */ verification: undefined,
  /** @type {string | undefined} */ session: undefined,
  /** @type {any} */ customer: undefined,
  /** @type {string | undefined} */ locale: undefined,
  localeChosen: false,
  /** @type {{ service: string, type: string, ageSeconds: number }[]} */ stale: [],
  /** @type {number | undefined} */ checkedAt: undefined,
  /** @type {string | undefined} */ error: undefined,
  /** @type {string | undefined} */ contextError: undefined,
  /** @type {Record<string, any>} */ eligibility: {},
  /** @type {Record<string, any>} */ returns: {},
  /** @type {Record<string, string>} */ notes: {},
  /** @type {string[]} */ busy: [],
  /** @type {string | undefined} */ rendered: undefined,
  /** @type {number | undefined} */ poller: undefined,
  /** @type {string | undefined} */ ended: undefined,
  /** @type {Record<string, string>} */ keys: {},
};

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
let graph = createGraphClient({ operations: {}, credentials: () => ({}) });

const language = () => (state.locale ?? 'en').slice(0, 2);
/** A status, channel or intent in the customer's language, from the graph's own catalog. */
const say = (/** @type {string} */ group, /** @type {string} */ code) => settings.texts[group]?.[code]?.[language()] ?? settings.texts[group]?.[code]?.en ?? code;
/** @param {string | null | undefined} iso */
function when(iso) {
  if (!iso) return '–';
  try {
    return new Intl.DateTimeFormat(state.locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  } catch {
    return new Date(iso).toISOString();
  }
}
const announce = (/** @type {string} */ text) => ($('announce').textContent = text);
/** Transport failures: the write may have happened, so a retry must send the same idempotency key. */
const MAYBE_WRITTEN = ['BACKEND_UNAVAILABLE', 'BACKEND_TIMEOUT', 'OVERLOADED', 'RATE_LIMITED', 'INTERNAL_SERVER_ERROR'];
/** The idempotency key of the write `what` is about to send: the same until the graph has answered it. */
const keyFor = (/** @type {string} */ what) => (state.keys[what] ??= `desk-${crypto.randomUUID()}`);

async function main() {
  settings = await (await fetch('settings.json')).json();
  graph = createGraphClient({ operations: settings.operations, credentials: () => ({ token: state.token, session: state.session }) });
  $('refresh').addEventListener('click', () => void refresh(true));
  renderSignIn();
}

// --- sign in -------------------------------------------------------------------------------------

function renderSignIn() {
  const region = $('signin');
  region.hidden = Boolean(state.token);
  $('call').hidden = !state.token;
  $('agent').textContent = state.token ? `Signed in as ${state.agentId} (agent desk)` : '';
  if (state.token) return;
  replace(
    region,
    h('h2', { id: 'signin-title' }, 'Sign in'),
    settings.demoSignIn
      ? h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); void demoSignIn(/** @type {HTMLFormElement} */ (e.target)); } },
          h('p', null, 'Embedded demo: a desk agent token signed with the public demo secret.'),
          h('label', { for: 'agent-id' }, 'Agent id'),
          h('input', { id: 'agent-id', name: 'agentId', value: 'desk-agent-1', required: true, pattern: '[A-Za-z0-9_.:\\-]{1,64}', autocomplete: 'username' }),
          h('button', { id: 'demo-signin' }, 'Sign in as a desk agent'),
        )
      : null,
    h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); useToken(fields(/** @type {HTMLFormElement} */ (e.target)).token.trim()); } },
      h('label', { for: 'idp-token' }, settings.demoSignIn ? 'Or paste a token from your identity provider' : 'Paste the token from your identity provider'),
      h('textarea', { id: 'idp-token', name: 'token', rows: 3, required: true, spellcheck: 'false', autocomplete: 'off' }),
      h('button', null, 'Use this token'),
    ),
    state.error ? h('p', { class: 'error', role: 'alert' }, state.error) : null,
  );
}

/** @param {HTMLFormElement} form */
async function demoSignIn(form) {
  const response = await fetch('demo-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agentId: fields(form).agentId }) });
  const body = await response.json();
  if (!response.ok) {
    state.error = body.error?.message ?? 'Sign-in failed';
    return renderSignIn();
  }
  useToken(body.token);
}

/** @param {string} token */
function useToken(token) {
  const claims = claimsOf(token);
  if (claims.role !== 'agent' || claims.channel !== CHANNEL) {
    state.error = 'That token is not a desk agent’s (role agent, channel HUMAN_DESK).';
    return renderSignIn();
  }
  Object.assign(state, { token, agentId: claims.sub, error: undefined });
  renderSignIn();
  renderCall();
  document.getElementById('find-value')?.focus();
}

/** The token was refused (expired, revoked): back to the sign-in, the call closed. */
function signOut() {
  endSession();
  Object.assign(state, { token: undefined, agentId: undefined, matches: undefined, selected: undefined, verification: undefined, error: 'Your sign-in has ended. Sign in again.' });
  replace($('context'));
  renderLive();
  renderSignIn();
}

// --- the call: find, verify, the customer, the end ----------------------------------------------

function renderCall() {
  const by = FIND_BY[state.findBy];
  replace(
    $('call'),
    h('section', { 'aria-labelledby': 'find-title', class: 'card' },
      h('h2', { id: 'find-title' }, 'Find the caller'),
      h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); void identify(/** @type {HTMLFormElement} */ (e.target)); } },
        h('fieldset', { class: 'choice' }, h('legend', null, 'Find by'),
          Object.entries(FIND_BY).map(([code, f]) => h('label', null,
            h('input', { type: 'radio', name: 'by', value: code, checked: state.findBy === code, onchange: () => { state.findBy = /** @type {any} */ (code); renderCall(); } }), ` ${f.label}`)),
        ),
        h('label', { for: 'find-value' }, by.label),
        h('input', { id: 'find-value', name: 'value', type: by.type, required: true, autocomplete: by.autocomplete, maxlength: 200 }),
        h('button', { id: 'find', disabled: state.busy.includes('find') }, 'Find'),
      ),
      state.matches ? matchesView() : null,
    ),
    state.selected && !state.session ? verifyView() : null,
    state.customer ? customerCard() : null,
    state.session ? endCallView() : null,
    state.error ? h('p', { class: 'error', role: 'alert' }, state.error) : null,
    state.ended ? h('p', { class: 'note', role: 'status' }, state.ended) : null,
  );
}

/** @param {HTMLFormElement} form */
async function identify(form) {
  const { value } = fields(form);
  const by = FIND_BY[state.findBy];
  performance.clearMarks();
  performance.mark('desk:identify');
  endSession();
  Object.assign(state, { matches: undefined, selected: undefined, verification: undefined, error: undefined, ended: undefined });
  await busy('find', async () => {
    const body = await graph(by.operation, { [by.variable]: value, ...(state.findBy === 'ORDER_NUMBER' ? { locale: navigator.language } : {}) });
    state.matches = body.data[by.field];
  });
  renderCall();
  performance.mark('desk:matches');
  announce(state.matches ? `${state.matches.length} caller${state.matches.length === 1 ? '' : 's'} found` : '');
  document.getElementById(state.matches?.length ? 'match-0' : 'find-value')?.focus();
}

function matchesView() {
  const matches = state.matches ?? [];
  if (!matches.length) return h('p', { role: 'status' }, 'No caller matches. Check the spelling, or find them another way.');
  return h('ul', { class: 'matches', 'aria-label': 'Callers found' }, matches.map((m, i) =>
    h('li', null,
      h('button', { type: 'button', id: `match-${i}`, class: 'match', 'aria-pressed': String(state.selected === m), onclick: () => select(m) },
        h('strong', null, m.caller.firstName), ` · ${m.caller.maskedEmail}`, m.caller.maskedPhone ? ` · ${m.caller.maskedPhone}` : '', ` · speaks ${m.caller.preferredLanguage}`,
        m.order ? h('span', { class: 'meta' }, ` · ${m.order.number}: ${m.order.statusText}`) : null,
      ),
    ),
  ));
}

/** @param {any} match */
function select(match) {
  Object.assign(state, { selected: match, verification: undefined, error: undefined });
  renderCall();
  document.getElementById('verify-answer')?.focus();
}

function verifyView() {
  const methods = settings.verificationMethods[state.findBy] ?? [];
  const result = state.verification;
  // The last wrong answer before the lock already says until when.
  const locked = result && (result.status === 'LOCKED' || result.attemptsRemaining === 0);
  return h('section', { 'aria-labelledby': 'verify-title', class: 'card' },
    h('h2', { id: 'verify-title' }, `Verify ${state.selected.caller.firstName}`),
    h('p', null, 'Ask for a second fact the caller knows.'),
    h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); void verify(/** @type {HTMLFormElement} */ (e.target)); } },
      h('label', { for: 'verify-method' }, 'Ask for'),
      h('select', { id: 'verify-method', name: 'method' }, methods.map((m) => h('option', { value: m }, METHOD_LABELS[/** @type {keyof METHOD_LABELS} */ (m)] ?? m))),
      h('label', { for: 'verify-answer' }, 'The caller’s answer'),
      h('input', { id: 'verify-answer', name: 'answer', required: true, autocomplete: 'off', maxlength: 200 }),
      h('button', { id: 'verify', disabled: state.busy.includes('verify') || locked }, 'Verify'),
    ),
    result?.status === 'WRONG_ANSWER' && !locked ? h('p', { class: 'error', role: 'alert' }, `Wrong answer. ${result.attemptsRemaining} attempt${result.attemptsRemaining === 1 ? '' : 's'} left before the caller is locked.`) : null,
    locked
      ? h('p', { class: 'error locked', role: 'alert', id: 'locked' }, `Locked: too many wrong answers. No answer is checked until ${when(result.lockedUntil)}. Offer to call back then, or help without account details.`)
      : null,
  );
}

/** @param {HTMLFormElement} form */
async function verify(form) {
  const { method, answer } = fields(form);
  state.error = undefined;
  performance.mark('desk:verify');
  await busy('verify', async () => {
    const body = await graph('VerifyCaller', { input: { callerId: state.selected.caller.id, identification: state.selected.identification, channel: CHANNEL, method, answer, agentId: state.agentId } });
    state.verification = body.data.verifyCaller;
  });
  if (state.verification?.status === 'VERIFIED') {
    Object.assign(state, { session: state.verification.session.token, locale: state.selected.caller.preferredLanguage, localeChosen: false, eligibility: {}, returns: {}, notes: {}, rendered: undefined });
    await refresh();
    startPolling();
    $('context').focus();
  } else {
    renderCall();
    document.getElementById(state.verification?.lockedUntil ? 'find-value' : 'verify-answer')?.focus();
  }
}

function customerCard() {
  const c = state.customer;
  return h('section', { 'aria-labelledby': 'customer-title', class: 'card' },
    h('h2', { id: 'customer-title' }, `${c.firstName} ${c.lastName}`),
    h('dl', { class: 'pairs' },
      h('dt', null, 'Email'), h('dd', null, c.email),
      h('dt', null, 'Phone'), h('dd', null, c.phone ?? '–'),
      h('dt', null, 'Country'), h('dd', null, c.country),
      h('dt', null, 'Loyalty'), h('dd', null, say('loyaltyTier', c.loyaltyTier)),
    ),
    h('label', { for: 'locale' }, 'Customer’s language and formats'),
    h('select', { id: 'locale', onchange: (/** @type {Event} */ e) => { state.locale = /** @type {HTMLSelectElement} */ (e.target).value; state.localeChosen = true; void refresh(); } },
      [...new Set([c.locale, 'en-GB', 'en-US', 'de-DE', 'fr-FR', 'es-ES'])].map((l) => h('option', { value: l, selected: l === state.locale }, `${new Intl.DisplayNames([l], { type: 'language' }).of(l.slice(0, 2)) ?? l} (${l})`)),
    ),
  );
}

function endCallView() {
  const orders = state.customer?.activeOrders ?? [];
  return h('section', { 'aria-labelledby': 'end-title', class: 'card' },
    h('h2', { id: 'end-title' }, 'End of the call'),
    h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => { e.preventDefault(); void endCall(/** @type {HTMLFormElement} */ (e.target)); } },
      h('label', { for: 'end-intent' }, 'What the call was about'),
      h('select', { id: 'end-intent', name: 'intent' }, INTENTS.map((i) => h('option', { value: i }, say('intent', i)))),
      h('label', { for: 'end-order' }, 'Order'),
      h('select', { id: 'end-order', name: 'orderId' }, h('option', { value: '' }, 'none'), orders.map((/** @type {any} */ o) => h('option', { value: o.id }, o.number))),
      h('label', { for: 'end-outcome' }, 'Outcome'),
      h('select', { id: 'end-outcome', name: 'outcome' }, OUTCOMES.map((o) => h('option', { value: o }, say('outcome', o)))),
      h('label', { for: 'end-summary' }, 'Summary'),
      h('textarea', { id: 'end-summary', name: 'summary', rows: 3, required: true, maxlength: 1000 }),
      h('button', { id: 'end-call', disabled: state.busy.includes('end') }, 'Record the contact and end the call'),
    ),
    state.notes.end ? h('p', { class: 'error', role: 'alert' }, state.notes.end) : null,
  );
}

/** @param {HTMLFormElement} form */
async function endCall(form) {
  const { intent, orderId, outcome, summary } = fields(form);
  const ok = await busy('end', () =>
    graph('RecordInteraction', { input: { customerId: state.customer.id, channel: CHANNEL, intent, outcome, summary, ...(orderId ? { orderId } : {}), agentId: state.agentId, idempotencyKey: keyFor('end') } }),
  );
  if (!ok) return renderCall();
  const name = state.customer.firstName;
  endSession();
  Object.assign(state, { matches: undefined, selected: undefined, verification: undefined, ended: `Contact with ${name} recorded. The call is closed.` });
  replace($('context'));
  renderLive();
  renderCall();
  document.getElementById('find-value')?.focus();
}

function endSession() {
  clearTimeout(state.poller);
  Object.assign(state, { session: undefined, customer: undefined, poller: undefined, rendered: undefined, stale: [], checkedAt: undefined, contextError: undefined });
}

// --- the context, kept live ----------------------------------------------------------------------

function startPolling() {
  clearTimeout(state.poller);
  const session = state.session;
  const tick = async () => {
    if (state.session !== session) return;
    const started = performance.now();
    // Nobody looks at a hidden tab: no reads (each is audited); it reads at once when shown again.
    if (!document.hidden) await refresh();
    // Every POLL_MS from start to start (one read at a time): a slow answer does not stretch the period.
    if (state.session === session) state.poller = window.setTimeout(tick, Math.max(0, POLL_MS - (performance.now() - started)));
  };
  state.poller = window.setTimeout(tick, POLL_MS);
}

/**
 * Reads the context again and re-renders only what changed. The graph's caches are exact: a write
 * through any channel drops what it touched at once, so a cached read already shows it; `fresh`
 * (the Refresh button) also catches what a backend changed without telling the graph.
 */
async function refresh(fresh = false) {
  const session = state.session;
  if (!session) return;
  try {
    const body = await graph('DeskContext', { locale: state.locale }, { fresh });
    if (state.session !== session) return;
    const customer = body.data.verifiedCustomer;
    // The first read is in the language the identify answer named; the next ones in the customer's full locale (formats).
    if (!state.localeChosen && customer.locale !== state.locale) {
      state.locale = customer.locale;
      state.localeChosen = true;
    }
    Object.assign(state, { stale: body.extensions?.stale ?? [], checkedAt: Date.now(), contextError: undefined });
    const changed = `${state.locale} ${JSON.stringify(customer, (k, v) => (k === 'asOf' ? undefined : v))}`;
    if (changed !== state.rendered) {
      const firstTime = state.rendered === undefined;
      const before = new Set((state.customer?.openHandoffs ?? []).map((/** @type {any} */ ho) => ho.id));
      state.customer = customer;
      state.rendered = changed;
      renderContext();
      renderCall();
      if (firstTime) {
        performance.mark('desk:context');
        announce(`Context for ${customer.firstName} ${customer.lastName}: ${customer.openHandoffs.length} open handoff(s)`);
      } else {
        const added = customer.openHandoffs.filter((/** @type {any} */ ho) => !before.has(ho.id));
        announce(added.length ? `New handoff from ${say('channel', added[0].fromChannel)}` : 'Context updated');
      }
    }
  } catch (err) {
    if (state.session !== session) return;
    const code = err instanceof GraphError ? err.code : 'INTERNAL_SERVER_ERROR';
    if (code === 'UNAUTHENTICATED') signOut();
    else if (code === 'VERIFICATION_EXPIRED' || code === 'VERIFICATION_REQUIRED') {
      endSession();
      state.error = 'The verified session has ended. Verify the caller again to go on.';
      replace($('context'));
      renderCall();
    } else state.contextError = `Could not refresh (${code}); showing what was read last.`;
  }
  renderLive();
}

function renderContext() {
  replace($('context'), contextView(state.customer, { say, when, eligibility: state.eligibility, returns: state.returns, notes: state.notes, busy: state.busy, act: { accept, resolve, eligibility, initiateReturn, promise } }));
}

/** The data's age: when the oldest part shown was read from its system, and any stale stand-ins. */
function renderLive() {
  $('live').hidden = !state.customer || !state.checkedAt;
  if ($('live').hidden) return;
  /** @type {number[]} */
  const times = [];
  JSON.stringify(state.customer, (k, v) => {
    if (k === 'asOf') times.push(Date.parse(v));
    return v;
  });
  const oldest = Math.min(...times);
  const age = Math.max(0, Math.round((Date.now() - oldest) / 1000));
  replace(
    $('live-text'),
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    `Live · checked ${new Date(/** @type {number} */ (state.checkedAt)).toLocaleTimeString()} · oldest part read `,
    h('time', { datetime: new Date(oldest).toISOString(), id: 'data-age' }, `${age} s ago`),
    state.stale.length ? h('strong', { class: 'warn', id: 'stale' }, ` · stale: ${state.stale.map((s) => `${s.service} ${s.type} ${s.ageSeconds} s old`).join(', ')}`) : null,
    state.contextError ? h('strong', { class: 'warn' }, ` · ${state.contextError}`) : null,
  );
}

// --- actions -------------------------------------------------------------------------------------

/**
 * Runs an action with its buttons disabled; a refusal is shown where it happened.
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} action
 * @returns {Promise<T | undefined>}
 */
async function busy(what, action) {
  state.busy = [...state.busy, what];
  rerender();
  try {
    let answer;
    // A request that may or may not have been carried out is sent again, twice at most: reads are safe, and
    // writes carry the same idempotency key (a return the saga undid completes on the retry).
    for (let attempt = 0; ; attempt++) {
      try {
        answer = await action();
        break;
      } catch (err) {
        if (attempt >= 2 || !(err instanceof GraphError && MAYBE_WRITTEN.includes(err.code))) throw err;
        await new Promise((resolve) => setTimeout(resolve, 300 * (attempt + 1)));
      }
    }
    delete state.keys[what];
    return answer;
  } catch (err) {
    if (!(err instanceof GraphError && MAYBE_WRITTEN.includes(err.code))) delete state.keys[what];
    if (err instanceof GraphError && err.code === 'UNAUTHENTICATED') {
      signOut();
      return undefined;
    }
    const message = err instanceof GraphError ? `${err.message} (${err.code})` : String(err);
    if (state.customer) state.notes[what] = message;
    else state.error = message;
    return undefined;
  } finally {
    state.busy = state.busy.filter((b) => b !== what);
    rerender();
  }
}

function rerender() {
  if (state.customer) renderContext();
  renderCall();
}

/** @param {string} handoffId */
async function accept(handoffId) {
  delete state.notes[handoffId];
  const ok = await busy(handoffId, () => graph('AcceptHandoff', { input: { handoffId, agentId: state.agentId, channel: CHANNEL } }));
  if (ok) state.notes[handoffId] = 'Accepted: it is yours now.';
  await refresh();
  document.getElementById(`resolve-summary-${handoffId}`)?.focus();
}

/** @param {string} handoffId @param {HTMLFormElement} form */
async function resolve(handoffId, form) {
  const { outcome, summary } = fields(form);
  const ok = await busy(handoffId, () =>
    graph('ResolveHandoff', { input: { handoffId, agentId: state.agentId, channel: CHANNEL, outcome, summary, idempotencyKey: keyFor(handoffId) } }),
  );
  if (ok) announce('Handoff resolved');
  await refresh();
}

/** @param {string} orderId */
async function eligibility(orderId) {
  delete state.returns[orderId];
  const body = await busy(orderId, () => graph('ReturnEligibility', { orderId, locale: state.locale }));
  if (body) state.eligibility[orderId] = body.data.order;
  renderContext();
  document.getElementById(`ret-submit-${orderId}`)?.scrollIntoView({ block: 'nearest' });
}

/** @param {string} orderId @param {HTMLFormElement} form */
async function initiateReturn(orderId, form) {
  const values = fields(form);
  const items = Object.entries(values)
    .filter(([name]) => name.startsWith('item:'))
    .map(([name, quantity]) => ({ lineItemId: name.slice(5), quantity: Number(quantity), reason: values.reason }));
  if (!items.length) {
    state.notes[orderId] = 'Choose the items to return first.';
    return renderContext();
  }
  delete state.notes[orderId];
  delete state.returns[orderId];
  const body = await busy(orderId, () => graph('InitiateReturn', { input: { orderId, items, idempotencyKey: keyFor(orderId) }, locale: state.locale }));
  if (body) state.returns[orderId] = body.data.initiateReturn;
  renderContext();
  announce(body?.data.initiateReturn.status === 'REFUSED' ? 'Return refused' : body ? 'Return created' : 'Return failed');
  await refresh();
}

/** @param {string} currency @param {HTMLFormElement} form */
async function promise(currency, form) {
  const { promisedFor, note } = fields(form);
  const what = `ptp-${currency}`;
  delete state.notes[what];
  const body = await busy(what, () =>
    graph('PromiseToPay', { input: { customerId: state.customer.id, currency, promisedFor, channel: CHANNEL, agentId: state.agentId, ...(note ? { note } : {}), idempotencyKey: keyFor(what) }, locale: state.locale }),
  );
  if (body) state.notes[what] = `Promise recorded: ${body.data.promiseToPay.amount.formatted} by ${body.data.promiseToPay.promisedForText}.`;
  await refresh();
  renderContext();
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.session) void refresh();
});
// The age shown moves on between polls too.
window.setInterval(() => state.customer && renderLive(), 1_000);
void main();
