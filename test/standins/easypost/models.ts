/**
 * EasyPost publishes no OpenAPI description (its API reference is HTML; the SDKs are written by
 * hand), so the stand-in's answers are checked against the next best thing: the models the
 * official Node SDK (@easypost/api 8.9) declares in its types/ (ITracker, IShipment, IRate, …).
 * The JSON Schemas are built from those declarations at test time: every field an answer carries
 * must be declared there, every field declared without `?` must be present, its primitive type
 * (string, number, boolean; EasyPost answers null for what is unset) and its string unions
 * (statuses, status details, error codes) as declared. Objects EasyPost nests are checked as their
 * own models.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TYPES = join(process.cwd(), 'node_modules', '@easypost', 'api', 'types');
type Json = Record<string, any>;

/** `interface IName extends …` in a declaration file: its own fields (name, optional, type text) and what it extends. */
export function declaredInterface(file: string, name: string): { fields: { name: string; optional: boolean; type: string }[]; extends: string[] } {
  const text = readFileSync(join(TYPES, file), 'utf8');
  const start = text.indexOf(`export declare interface ${name}`);
  if (start < 0) throw new Error(`${file} declares no ${name}`);
  const header = text.slice(start, text.indexOf('{', start));
  const body = text.slice(text.indexOf('{', start) + 1, text.indexOf('\n}', start));
  const fields = [...body.replace(/\/\*\*[\s\S]*?\*\//g, '').matchAll(/^\s+(\w+)(\?)?:\s*([^;]+);/gm)].map((m) => ({ name: m[1], optional: Boolean(m[2]), type: m[3].trim() }));
  const parents = header.includes('extends') ? header.split('extends')[1].split(/,(?![^<]*>)/).map((p) => p.trim().replace(/<.*>/, '')) : [];
  return { fields, extends: parents };
}

/** The values of a string union type (`'a' | 'b' | …`) the SDK declares. */
export function declaredUnion(file: string): string[] {
  return [...readFileSync(join(TYPES, file), 'utf8').matchAll(/\|\s*'([^']+)'/g)].map((m) => m[1]);
}

const INHERITED: Record<string, { name: string; optional: boolean; type: string }[]> = {
  IBaseObject: [{ name: 'object', optional: false, type: 'string' }],
  IObjectWithId: [{ name: 'object', optional: false, type: 'string' }, { name: 'id', optional: false, type: 'string' }, { name: 'mode', optional: false, type: "'test' | 'production'" }],
  IDatedObject: [{ name: 'created_at', optional: false, type: 'string' }, { name: 'updated_at', optional: false, type: 'string' }],
};

/** The models the stand-in answers, where the SDK declares each, and the fields that are other models or declared unions. */
const MODELS: Record<string, { file: string; iface: string; object?: string; refs?: Record<string, Json> }> = {
  Tracker: { file: 'Tracker/Tracker.d.ts', iface: 'ITracker', object: 'Tracker', refs: {
    status: { enum: declaredUnion('Tracker/TrackerStatus.d.ts') },
    status_detail: { enum: [...declaredUnion('Tracker/TrackerStatusDetail.d.ts'), null] },
    tracking_details: { type: 'array', items: { $ref: '#/definitions/TrackingDetail' } },
    carrier_detail: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    fees: { type: 'array' },
  } },
  TrackingDetail: { file: 'Tracker/TrackingDetail.d.ts', iface: 'ITrackingDetail', object: 'TrackingDetail', refs: {
    status: { enum: declaredUnion('Tracker/TrackerStatus.d.ts') },
    status_detail: { enum: [...declaredUnion('Tracker/TrackerStatusDetail.d.ts'), null] },
    tracking_location: { $ref: '#/definitions/TrackingLocation' },
  } },
  TrackingLocation: { file: 'Tracker/TrackingLocation.d.ts', iface: 'ITrackingLocation', object: 'TrackingLocation' },
  Shipment: { file: 'Shipment/Shipment.d.ts', iface: 'IShipment', object: 'Shipment', refs: {
    to_address: { $ref: '#/definitions/Address' }, from_address: { $ref: '#/definitions/Address' },
    return_address: { anyOf: [{ $ref: '#/definitions/Address' }, { type: 'null' }] }, buyer_address: { anyOf: [{ $ref: '#/definitions/Address' }, { type: 'null' }] },
    parcel: { $ref: '#/definitions/Parcel' },
    rates: { type: 'array', items: { $ref: '#/definitions/Rate' } },
    selected_rate: { anyOf: [{ $ref: '#/definitions/Rate' }, { type: 'null' }] },
    postage_label: { anyOf: [{ $ref: '#/definitions/PostageLabel' }, { type: 'null' }] },
    tracker: { anyOf: [{ $ref: '#/definitions/Tracker' }, { type: 'null' }] },
    refund_status: { enum: ['submitted', 'refunded', 'rejected', null] },
    forms: { type: 'array' }, fees: { type: 'array' }, messages: { type: 'array' },
    options: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    usps_zone: { type: ['string', 'number', 'null'] },
  } },
  Address: { file: 'Address/Address.d.ts', iface: 'IAddress', object: 'Address', refs: { verifications: { type: 'object' } } },
  Parcel: { file: 'Parcel/Parcel.d.ts', iface: 'IParcel', object: 'Parcel' },
  Rate: { file: 'Rate/Rate.d.ts', iface: 'IRate', object: 'Rate' },
  PostageLabel: { file: 'Shipment/PostageLabel.d.ts', iface: 'IPostageLabel', object: 'PostageLabel' },
  Event: { file: 'Event/Event.d.ts', iface: 'IEvent', object: 'Event', refs: { result: { type: 'object' }, previous_attributes: {} } },
  // The SDK's TErrorCode lists no code for a 429 (it reads one by its status, as RateLimitError): RATE_LIMITED is the stand-in's.
  Error: { file: 'errors/Error.d.ts', iface: 'IError', refs: { code: { enum: [...declaredUnion('errors/ErrorCode.d.ts'), 'RATE_LIMITED'] }, errors: { type: 'array', items: { $ref: '#/definitions/FieldError' } } } },
  FieldError: { file: 'errors/FieldError.d.ts', iface: 'IFieldError' },
};

/** A declared field's TypeScript type as a JSON Schema (null allowed: EasyPost answers null for what is unset). */
function fieldSchema(type: string): Json {
  if (/^'[^']*'( \| '[^']*')*$/.test(type)) return { enum: [...type.matchAll(/'([^']*)'/g)].map((m) => m[1]) };
  if (type === 'string') return { type: ['string', 'null'] };
  if (type === 'number') return { type: ['number', 'null'] };
  if (type === 'boolean') return { type: ['boolean', 'null'] };
  const base = type.replace(/\s*\|\s*null$/, '');
  if (base !== type) return { anyOf: [fieldSchema(base), { type: 'null' }] };
  return {};
}

/** Every model as a closed JSON Schema, keyed by name: `definitions` for ajv. */
export function easypostDefinitions(): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(MODELS).map(([name, model]) => {
      const declared = declaredInterface(model.file, model.iface);
      const fields = [...declared.extends.flatMap((p) => INHERITED[p] ?? []), ...declared.fields];
      const properties = Object.fromEntries(fields.map((f) => [f.name, model.refs?.[f.name] ?? fieldSchema(f.type)]));
      if (model.object) properties.object = { const: model.object };
      return [name, { type: 'object', properties, required: fields.filter((f) => !f.optional).map((f) => f.name), additionalProperties: false }];
    }),
  );
}
