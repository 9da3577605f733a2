/**
 * Trims Stripe's published OpenAPI description (github.com/stripe/openapi, openapi/spec3.json) to
 * the operations the Stripe adapter and its fixtures call, and the component schemas they reach.
 * The stand-in's test (server.test.ts) validates every answer against the result, committed as
 * spec3.trimmed.json (CI has no network). Regenerate:
 *
 *   npx tsx test/standins/stripe/openapi.ts [/path/to/stripe/openapi/git-dir] [commit]
 *
 * The spec comes from the newest commit of the local mirror whose spec3.json is present: the
 * mirror's HEAD lacks the blob, so SPEC_COMMIT (2022-04-12, API version 2020-08-27) is the newest
 * description on this machine. Fields the pinned API version (the SDK's, 2026-10-28) added since
 * and that the adapter reads are added by OVERLAY below, each taken from the SDK's generated types.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SPEC_COMMIT = 'e0123a38b40c8d840b4c0469ac0ee1650b6bfea3';
const MIRROR = '/work/.mirror/stripe+openapi/repo';
export const TRIMMED_PATH = join(__dirname, 'spec3.trimmed.json');

/** [method, path] of every operation the adapter, the fixtures and the stand-in's test use. */
export const OPERATIONS: [string, string][] = [
  ['get', '/v1/customers'], ['post', '/v1/customers'], ['get', '/v1/customers/search'],
  ['get', '/v1/customers/{customer}'], ['post', '/v1/customers/{customer}'], ['delete', '/v1/customers/{customer}'],
  ['post', '/v1/payment_methods'],
  ['get', '/v1/payment_intents'], ['post', '/v1/payment_intents'], ['get', '/v1/payment_intents/search'],
  ['get', '/v1/payment_intents/{intent}'], ['post', '/v1/payment_intents/{intent}/confirm'],
  ['post', '/v1/payment_intents/{intent}/capture'], ['post', '/v1/payment_intents/{intent}/cancel'],
  ['get', '/v1/charges'], ['get', '/v1/charges/search'], ['get', '/v1/charges/{charge}'],
  ['get', '/v1/refunds'], ['post', '/v1/refunds'], ['get', '/v1/refunds/{refund}'],
  ['get', '/v1/disputes'], ['get', '/v1/disputes/{dispute}'],
  ['get', '/v1/invoices'], ['post', '/v1/invoices'], ['get', '/v1/invoices/search'], ['get', '/v1/invoices/{invoice}'],
  ['post', '/v1/invoices/{invoice}/finalize'], ['post', '/v1/invoices/{invoice}/pay'], ['post', '/v1/invoices/{invoice}/void'],
  ['post', '/v1/invoiceitems'],
];

/**
 * The objects kept whole, with every sub-object they hold. An expandable field (`anyOf: [id, $ref]`)
 * pointing at any other object keeps its id branch but its object branch becomes `{ type: object }`:
 * the closure through expandable fields is most of Stripe's API (accounts, sources, subscriptions…)
 * and the adapter never expands those; every field it reads lives in the objects below. The same
 * holds inside the fields a schema lists in `x-expandableFields` (lists such as customer.subscriptions
 * or dispute.balance_transactions, returned only when expanded): objects outside KEPT become `{ type: object }`.
 */
const KEPT = [
  'customer', 'deleted_customer', 'payment_intent', 'charge', 'refund', 'dispute', 'invoice', 'invoiceitem', 'payment_method', 'line_item', 'error', 'api_errors',
  // Sub-objects of expandable fields that the adapter reads (card brand, last 4, expiry, wallet; a dispute's deadline; an invoice's transitions).
  'payment_method_details', 'payment_method_details_card', 'payment_method_details_card_wallet', 'payment_method_details_klarna',
  'payment_method_card', 'payment_method_card_wallet', 'dispute_evidence', 'dispute_evidence_details', 'invoices_status_transitions',
];

type Json = Record<string, any>;

/** Since the spec's version, per the SDK's types (node_modules/stripe/cjs/resources/*.d.ts): what the adapter reads or the fixtures make. */
const OVERLAY: { why: string; apply(schemas: Json): void }[] = [
  {
    why: 'API 2022-11-15 replaced PaymentIntent.charges by latest_charge (PaymentIntents.d.ts: latest_charge: string | Charge | null)',
    apply: (s) => void (s.payment_intent.properties.latest_charge = { anyOf: [{ maxLength: 5000, type: 'string' }, { $ref: '#/components/schemas/charge' }], nullable: true }),
  },
  {
    why: 'PayPal payment methods came in 2023 (PaymentMethods.d.ts: type includes paypal; paypal?: PaymentMethod.Paypal; Charges.d.ts: PaymentMethodDetails.paypal)',
    apply: (s) => {
      s.payment_method.properties.type.enum.push('paypal');
      s.payment_method.properties.paypal = { type: 'object' };
      s.payment_method_details.properties.paypal = { type: 'object' };
    },
  },
];


function strip(node: any): any {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key.startsWith('x-')) continue;
    // Inside `properties` the keys are field names (a field may be called `description`).
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, strip(schema)])) : strip(value);
  }
  return out;
}

export function trim(spec: Json): Json {
  const schemas: Json = spec.components.schemas;
  for (const o of OVERLAY) o.apply(schemas);
  const kept: Json = {};
  const refName = (ref: string) => ref.replace('#/components/schemas/', '');
  // Replaces expandable references to objects outside KEPT; answers the refs still needed.
  const cut = (node: any): any => {
    if (Array.isArray(node)) return node.map(cut);
    if (!node || typeof node !== 'object') return node;
    if (typeof node.$ref === 'string' && !KEPT.includes(refName(node.$ref))) return { type: 'object', title: `trimmed:${refName(node.$ref)}` };
    return Object.fromEntries(Object.entries(node).filter(([key]) => !key.startsWith('x-')).map(([key, value]) => [key, cut(value)]));
  };
  const visit = (node: any, needed: Set<string>): any => {
    if (Array.isArray(node)) return node.map((n) => visit(n, needed));
    if (!node || typeof node !== 'object') return node;
    const expandable = node['x-expansionResources'] && Array.isArray(node.anyOf);
    const expandableFields: string[] = node.properties ? (node['x-expandableFields'] ?? []) : [];
    const out: Json = {};
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) continue;
      if (key === 'properties') {
        out.properties = Object.fromEntries(
          Object.entries<Json>(value as Json).map(([name, property]) => [name, visit(expandableFields.includes(name) ? cut(property) : property, needed)]),
        );
      } else if (expandable && key === 'anyOf') {
        out.anyOf = (value as Json[]).map((branch) =>
          branch.$ref && !KEPT.includes(refName(branch.$ref)) ? { type: 'object', title: `trimmed:${refName(branch.$ref)}` } : visit(branch, needed),
        );
      } else out[key] = visit(value, needed);
    }
    if (typeof node.$ref === 'string') needed.add(refName(node.$ref));
    return out;
  };
  const paths: Json = {};
  const queue = new Set<string>();
  for (const [method, path] of OPERATIONS) {
    const op = spec.paths[path]?.[method];
    if (!op) throw new Error(`the spec has no ${method} ${path}`);
    const responses: Json = {};
    for (const [status, response] of Object.entries<Json>(op.responses)) {
      responses[status] = { content: { 'application/json': { schema: visit(response.content['application/json'].schema, queue) } } };
    }
    paths[path] = { ...paths[path], [method]: { operationId: op.operationId, parameters: (op.parameters ?? []).map((p: Json) => ({ name: p.name, in: p.in })), responses } };
  }
  while (queue.size) {
    const [name] = queue;
    queue.delete(name);
    if (kept[name]) continue;
    const next = new Set<string>();
    kept[name] = visit(schemas[name], next);
    for (const n of next) if (!kept[n]) queue.add(n);
  }
  return strip({ openapi: spec.openapi, info: { ...spec.info, 'x-trimmed-from': `stripe/openapi@${SPEC_COMMIT}:openapi/spec3.json` }, paths, components: { schemas: kept } });
}

if (require.main === module) {
  const [dir = MIRROR, commit = SPEC_COMMIT] = process.argv.slice(2);
  const spec = JSON.parse(execFileSync('git', ['-C', dir, 'show', `${commit}:openapi/spec3.json`], { maxBuffer: 1 << 28 }).toString());
  const trimmed = trim(spec);
  trimmed.info['x-trimmed-from'] = `stripe/openapi@${commit}:openapi/spec3.json`;
  const text = JSON.stringify(trimmed, null, 1) + '\n';
  writeFileSync(TRIMMED_PATH, text);
  console.log(`${TRIMMED_PATH}: ${Object.keys(trimmed.paths).length} paths, ${Object.keys(trimmed.components.schemas).length} schemas, ${text.length} bytes`);
}
