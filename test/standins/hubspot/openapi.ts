/**
 * Trims HubSpot's published OpenAPI descriptions (github.com/HubSpot/HubSpot-public-api-spec-collection)
 * to the operations the HubSpot adapter, its fixtures and its stand-in use, and the components they
 * reach. The stand-in's test (server.test.ts) validates every answer against the result, committed as
 * spec.trimmed.json (CI has no network). Regenerate:
 *
 *   npx tsx test/standins/hubspot/openapi.ts [/path/to/the/spec-collection/git-dir]
 *
 * Each file is read at the commit named in SOURCES: the last commit that changed it (all present in
 * the mirror's HEAD, 9989379138, 2026-09).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIRROR = '/work/.mirror/HubSpot+HubSpot-public-api-spec-collection/repo';
export const TRIMMED_PATH = join(__dirname, 'spec.trimmed.json');

/** Each published description, the commit it is read at, and the [method, path] kept from it. */
export const SOURCES: { file: string; commit: string; operations: [string, string][] }[] = [
  {
    file: 'PublicApiSpecs/CRM/Contacts/Rollouts/424/v3/contacts.json',
    commit: 'ab9ffa9c6f456fd8fce017f3d36fe619cbe88315',
    operations: [
      ['post', '/crm/v3/objects/contacts'], ['get', '/crm/v3/objects/contacts'], ['get', '/crm/v3/objects/contacts/{contactId}'], ['patch', '/crm/v3/objects/contacts/{contactId}'],
      ['post', '/crm/v3/objects/contacts/batch/read'], ['post', '/crm/v3/objects/contacts/search'], ['post', '/crm/v3/objects/contacts/gdpr-delete'],
    ],
  },
  {
    file: 'PublicApiSpecs/CRM/Properties/Rollouts/145899/v3/properties.json',
    commit: 'bb3415e6783b04fcb3f1bbd2383542389789548f',
    operations: [['get', '/crm/v3/properties/{objectType}'], ['post', '/crm/v3/properties/{objectType}']],
  },
  {
    file: 'PublicApiSpecs/CRM/Notes/Rollouts/424/v3/notes.json',
    commit: '265e0d7864c035b4ba32f38636608c2ae65d579d',
    operations: [['post', '/crm/v3/objects/notes/batch/upsert']],
  },
  {
    file: 'PublicApiSpecs/CRM/Associations/Rollouts/130902/v4/associations.json',
    commit: '89a281c11cb9b0a6c06ce886bd095b842b3eab89',
    operations: [['put', '/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}']],
  },
];

type Json = Record<string, any>;

/** Where HubSpot answers what its description leaves out, per the SDK's generated types (node_modules/@hubspot/api-client/lib/codegen/crm/contacts/models/*.d.ts). */
const OVERLAY: { api: string; why: string; apply(schemas: Json): void }[] = [
  {
    api: 'contacts',
    why: 'a property asked for and never set is answered as null (SimplePublicObject.d.ts: properties: { [key: string]: string | null })',
    apply: (s) => {
      for (const name of ['SimplePublicObject', 'SimplePublicObjectWithAssociations']) s[name].properties.properties.additionalProperties = { type: 'string', nullable: true };
    },
  },

];

/** Drops documentation (description, example, x-…); inside `properties` the keys are field names. */
function strip(node: any): any {
  if (Array.isArray(node)) return node.map(strip);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'example' || key === 'examples' || key === 'summary' || key.startsWith('x-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([name, schema]) => [name, strip(schema)])) : strip(value);
  }
  return out;
}

/** The operations kept, and every schema and response they reach (each description's names are prefixed by its API, as they clash). */
export function trim(specs: { api: string; spec: Json; operations: [string, string][] }[]): Json {
  const paths: Json = {};
  const components: Json = { schemas: {}, responses: {} };
  for (const { api, spec, operations } of specs) {
    for (const o of OVERLAY) if (o.api === api) o.apply(spec.components.schemas);
    const rename = (node: any): any => {
      if (Array.isArray(node)) return node.map(rename);
      if (!node || typeof node !== 'object') return node;
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(/^#\/components\/(schemas|responses)\//, `#/components/$1/${api}.`) : rename(v)]),
      );
    };
    const queue: string[] = [];
    const collect = (node: any) => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (!node || typeof node !== 'object') return;
      if (typeof node.$ref === 'string') queue.push(node.$ref);
      Object.values(node).forEach(collect);
    };
    for (const [method, path] of operations) {
      const op = spec.paths[path]?.[method];
      if (!op) throw new Error(`${api} has no ${method} ${path}`);
      const kept = { operationId: op.operationId, parameters: (op.parameters ?? []).map((p: Json) => ({ name: p.name, in: p.in })), requestBody: op.requestBody, responses: op.responses };
      collect(kept);
      paths[path] = { ...paths[path], [method]: rename(strip(kept)) };
    }
    const seen = new Set<string>();
    while (queue.length) {
      const ref = queue.pop()!;
      if (seen.has(ref)) continue;
      seen.add(ref);
      const [, kind, name] = ref.match(/^#\/components\/(schemas|responses)\/(.+)$/) ?? [];
      if (!kind) throw new Error(`${api}: unexpected $ref ${ref}`);
      const node = spec.components[kind][name];
      collect(node);
      components[kind][`${api}.${name}`] = rename(strip(node));
    }
  }
  return { openapi: '3.0.1', info: { title: 'HubSpot CRM (trimmed)', 'x-trimmed-from': SOURCES.map((s) => `HubSpot/HubSpot-public-api-spec-collection@${s.commit}:${s.file}`) }, paths, components };
}

export const apiOf = (file: string) => file.split('/')[2].toLowerCase();

if (require.main === module) {
  const [dir = MIRROR] = process.argv.slice(2);
  const specs = SOURCES.map((s) => ({ api: apiOf(s.file), spec: JSON.parse(execFileSync('git', ['-C', dir, 'show', `${s.commit}:${s.file}`], { maxBuffer: 1 << 28 }).toString()), operations: s.operations }));
  const trimmed = trim(specs);
  const text = JSON.stringify(trimmed, null, 1) + '\n';
  writeFileSync(TRIMMED_PATH, text);
  console.log(`${TRIMMED_PATH}: ${Object.keys(trimmed.paths).length} paths, ${Object.keys(trimmed.components.schemas).length} schemas, ${text.length} bytes`);
}
