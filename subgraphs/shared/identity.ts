import { sql, type Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import { chunks, distinct } from './batch';
import type { createGraphClient } from './graph-client';
import type { Logger } from './logger';

/**
 * What a system of record may tell about its customers, so the graph can link them to its own:
 * where the brand keeps the graph's customer id in that system (Stripe metadata, a commercetools
 * `externalId` or custom field). Both optional on a port; batch-first, answers in key order.
 *
 *   systemCustomerIds(['cus_000004']) // ['4c1f…-commercetools-uuid']
 */
export interface CustomerLinks {
  /** The system stores the graph's own customer ids (the reference SQL systems): nothing to map. */
  readonly sharesGraphCustomerIds?: boolean;
  /** The system's customer holding each graph customer id; null where none does. */
  systemCustomerIds?(graphIds: readonly string[]): Promise<(string | null)[]>;
  /** The graph customer id each system customer holds; null where it holds none. */
  graphCustomerIds?(systemIds: readonly string[]): Promise<(string | null)[]>;
  /**
   * The system's one customer with each email (lower case); null where none or several have it.
   * Present only when the brand's configuration links by email (a match, not a stored id).
   */
  systemCustomerIdsByEmail?(emails: readonly string[]): Promise<(string | null)[]>;
}

/** Emails shared by several customers link no one: the ids of the customers whose email is theirs alone. */
export function soleOwners<C>(customers: readonly C[], emailOf: (c: C) => string | null | undefined, idOf: (c: C) => string): Map<string, string> {
  const owners = new Map<string, string | null>();
  for (const c of customers) {
    const email = emailOf(c)?.toLowerCase();
    if (email) owners.set(email, owners.has(email) && owners.get(email) !== idOf(c) ? null : idOf(c));
  }
  return new Map([...owners].filter((entry): entry is [string, string] => entry[1] !== null));
}

/** A link learnt from a change event (a Stripe `customer.created` carrying the graph's id). */
export interface CustomerLink {
  graphCustomerId: string;
  systemCustomerId: string;
}

/** The graph's own table of links, one per (system, customer), in each subgraph's records schema. */
export interface IdentityTables {
  customerIdentities: {
    system: string;
    systemId: string;
    customerId: string;
    linkedBy: string;
    linkedAt: Date;
  };
}

export async function createIdentityTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('customer_identities')
    .addColumn('system', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('customer_identities_pk', ['system', 'system_id'])
    .addUniqueConstraint('customer_identities_customer', ['system', 'customer_id'])
    .execute();
}

/**
 * One customer across systems: the graph's id ↔ a system's id for the same person.
 * - `toSystem`/`toGraph` read the graph's own links; what is not linked yet is asked of the
 *   system (its CustomerLinks) and remembered, so the vendor is asked once per person.
 * - A system customer nobody linked keeps a namespaced id (`commercetools:4c1f…`): it matches no
 *   graph customer, so no caller can reach it, and the answer says where it came from.
 */
export interface IdentityMap {
  readonly system: string;
  /** True when the system's ids are the graph's (no lookups, nothing rewritten). */
  readonly same?: boolean;
  toSystem(graphIds: readonly string[]): Promise<(string | null)[]>;
  toGraph(systemIds: readonly string[]): Promise<string[]>;
  link(links: readonly CustomerLink[], linkedBy: string): Promise<void>;
}

/** How long "this system has no such customer" is believed before the system is asked again. */
const UNLINKED_TTL_MS = 30_000;

export function createIdentityMap(
  db: Kysely<IdentityTables>,
  system: string,
  links: CustomerLinks,
  logger: Logger,
  options: {
    maxEntries?: number;
    /** The graph customers' emails (from the CRM), for systems that link by email. */
    emailsOf?: (graphIds: readonly string[]) => Promise<(string | null)[]>;
  } = {},
): IdentityMap {
  // Links change rarely (a new customer, a merge): a process keeps the ones it used.
  const toSystemCache = new LRUCache<string, { id: string | null }>({ max: options.maxEntries ?? 100_000, ttl: 0, allowStale: false });
  const toGraphCache = new LRUCache<string, { id: string | null }>({ max: options.maxEntries ?? 100_000, ttl: 0, allowStale: false });
  const remember = (graphId: string, systemId: string) => {
    toSystemCache.set(graphId, { id: systemId });
    toGraphCache.set(systemId, { id: graphId });
  };

  async function link(found: readonly CustomerLink[], linkedBy: string) {
    // One statement per link: links are made once per person, and one refused must not drop the others.
    for (const l of found) {
      try {
        const stored = await db
          .insertInto('customerIdentities')
          .values({ system, systemId: l.systemCustomerId, customerId: l.graphCustomerId, linkedBy, linkedAt: new Date() })
          // A system id is one person: what the system itself says (its field, its events) moves a
          // link (a merge in the vendor); an email match never overrides a link.
          .onConflict((oc) =>
            linkedBy === 'email' ? oc.columns(['system', 'systemId']).doNothing() : oc.columns(['system', 'systemId']).doUpdateSet({ customerId: l.graphCustomerId, linkedBy, linkedAt: new Date() }),
          )
          .returning('systemId')
          .executeTakeFirst();
        if (stored) remember(l.graphCustomerId, l.systemCustomerId);
      } catch (err) {
        // The customer already has another id in this system: the first link stays.
        if ((err as { code?: string }).code !== '23505') throw err;
        logger.warn({ system, linkedBy }, 'a customer link was refused: the customer is already linked to another id in this system');
      }
    }
  }

  /** The configured email rule: a graph customer and the system's one customer with the same email. */
  async function linkByEmail(graphIds: string[]) {
    if (!graphIds.length || !options.emailsOf || !links.systemCustomerIdsByEmail) return;
    const emails = await options.emailsOf(graphIds);
    const asked = [...soleOwners(graphIds.map((id, i) => ({ id, email: emails[i] })), (c) => c.email, (c) => c.id)];
    if (!asked.length) return;
    const found = await links.systemCustomerIdsByEmail(asked.map(([email]) => email));
    await link(asked.flatMap(([, graphCustomerId], i) => (found[i] ? [{ graphCustomerId, systemCustomerId: found[i]! }] : [])), 'email');
  }

  /**
   * Each id's counterpart, from this process, else the graph's records, else the system (remembered
   * as a link); "none" is believed for UNLINKED_TTL_MS.
   */
  async function resolve(ids: readonly string[], from: 'customerId' | 'systemId'): Promise<(string | null)[]> {
    const cache = from === 'customerId' ? toSystemCache : toGraphCache;
    const misses = distinct(ids).filter((id) => !cache.has(id));
    if (misses.length) {
      const rows = await db.selectFrom('customerIdentities').select(['customerId', 'systemId']).where('system', '=', system).where(from, 'in', misses).execute();
      for (const row of rows) remember(row.customerId, row.systemId);
      const unlinked = misses.filter((id) => !cache.has(id));
      const ask = from === 'customerId' ? links.systemCustomerIds : links.graphCustomerIds;
      if (unlinked.length && ask) {
        const found = await ask.call(links, unlinked);
        const pairs = unlinked.flatMap((id, i) => (found[i] ? [from === 'customerId' ? { graphCustomerId: id, systemCustomerId: found[i]! } : { graphCustomerId: found[i]!, systemCustomerId: id }] : []));
        await link(pairs, 'system-field');
      }
      if (from === 'customerId') await linkByEmail(misses.filter((id) => !cache.has(id)));
      for (const id of unlinked) if (!cache.has(id)) cache.set(id, { id: null }, { ttl: UNLINKED_TTL_MS });
    }
    return ids.map((id) => cache.get(id)?.id ?? null);
  }

  // What toGraph answers for a system customer nobody linked names that customer in its own system.
  const prefix = `${system}:`;
  return {
    system,
    link,
    toSystem: async (graphIds) => {
      const own = graphIds.filter((id) => !id.startsWith(prefix));
      const linked = own.length ? new Map(own.map((id, i) => [id, i])) : undefined;
      const answers = own.length ? await resolve(own, 'customerId') : [];
      return graphIds.map((id) => (id.startsWith(prefix) ? id.slice(prefix.length) || null : answers[linked!.get(id)!]));
    },
    toGraph: async (systemIds) => (await resolve(systemIds, 'systemId')).map((id, i) => id ?? `${system}:${systemIds[i]}`),
  };
}

/** For a system that stores the graph's own customer ids (the reference SQL systems): no lookups. */
export const sameIds = (system: string): IdentityMap => ({
  system,
  same: true,
  toSystem: async (ids) => [...ids],
  toGraph: async (ids) => [...ids],
  link: async () => {},
});

/**
 * Every `customerId` in a system's answer (objects, lists, nested), as the graph knows it: one
 * batch of lookups per answer, never one per record.
 */
export async function withGraphCustomerIds<T>(value: T, identities: IdentityMap): Promise<T> {
  if (identities.same) return value;
  const found = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object' && !(v instanceof Date)) {
      for (const [key, inner] of Object.entries(v)) {
        if (key === 'customerId' && typeof inner === 'string') found.add(inner);
        else if (inner && typeof inner === 'object') collect(inner);
      }
    }
  };
  collect(value);
  if (!found.size) return value;
  const ids = [...found];
  const graphIds = await identities.toGraph(ids);
  const byId = new Map(ids.map((id, i) => [id, graphIds[i]]));
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([key, inner]) => [key, key === 'customerId' && typeof inner === 'string' ? byId.get(inner) : inner && typeof inner === 'object' ? rewrite(inner) : inner]));
    }
    return v;
  };
  return rewrite(value) as T;
}

/**
 * A by-customer batch read asked with graph ids of a system that has its own: the linked ones are
 * asked in one call, the unlinked ones have nothing there.
 */
export async function byGraphCustomer<T>(
  graphIds: readonly string[],
  identities: IdentityMap,
  read: (systemIds: string[]) => Promise<T[]>,
  none: () => T,
): Promise<T[]> {
  if (identities.same) return read([...graphIds]);
  const systemIds = await identities.toSystem(graphIds);
  const asked = systemIds.filter((id): id is string => id !== null);
  const answers = asked.length ? await read(asked) : [];
  const bySystemId = new Map(asked.map((id, i) => [id, answers[i]]));
  return systemIds.map((id) => (id === null ? none() : (bySystemId.get(id) ?? none())));
}

/**
 * The graph customers' emails as the CRM holds them, asked of the customers subgraph as the calling
 * subgraph's service identity (granted `customerEmails` only), in slices the CRM takes.
 */
export function emailsFromCrm(call: ReturnType<typeof createGraphClient>): (graphIds: readonly string[]) => Promise<(string | null)[]> {
  return async (graphIds) => {
    const answers = await Promise.all(
      [...chunks(graphIds, 100)].map((slice) =>
        call<{ customerEmails: (string | null)[] }>('customers', /* GraphQL */ `query ($ids: [ID!]!) { customerEmails(customerIds: $ids) }`, { ids: slice }),
      ),
    );
    return answers.flatMap((a) => a.customerEmails);
  };
}
