import { undescribed } from '../shared/privacy';
import { byGraphCustomer, withGraphCustomerIds, type IdentityMap } from '../shared/identity';
import type { Logger } from '../shared/logger';
import type { Customer, CustomerSource, CustomerSystem, Interaction } from './port';
import type { CustomerRecords } from './records';

/** The CRM's customers with their ids as the graph knows them (`<system>:<id>` for one nobody linked). */
async function asGraphCustomers(found: Customer[][], identities: IdentityMap): Promise<Customer[][]> {
  if (identities.same) return found;
  const ids = [...new Set(found.flat().map((c) => c.id))];
  if (!ids.length) return found;
  const graphIds = await identities.toGraph(ids);
  const byId = new Map(ids.map((id, i) => [id, graphIds[i]]));
  return withGraphCustomerIds(found.map((list) => list.map((c) => ({ ...c, id: byId.get(c.id)! }))), identities);
}

/**
 * The CRM and the graph's own records as the customers subgraph reads them: the profile from the
 * CRM, its ids translated both ways; interactions, handoffs, verification, sessions and audit kept
 * by the graph, whatever the CRM.
 */
export function composeCustomerSource(system: CustomerSystem, records: CustomerRecords, options: { logger?: Logger } = {}): CustomerSource {
  const { identities } = records;
  const { identities: _i, exportCustomer: _e, eraseCustomer: _r, drainChanges: _d, ...own } = records;
  /**
   * A newly recorded interaction mirrored to the CRM, best effort: the graph's record is the
   * interaction, so a CRM that fails only loses its copy (logged), never the write. Not through the
   * outbox: a mirror missed during an outage is not retried (see the report of #19's vendordown).
   */
  const mirror = async (interaction: Interaction) => {
    if (!system.recordEngagement) return;
    try {
      const [id] = await identities.toSystem([interaction.customerId]);
      if (id) await system.recordEngagement({ ...interaction, customerId: id });
    } catch (err) {
      options.logger?.warn({ interactionId: interaction.id, err: (err as Error).message }, 'interaction not mirrored to the CRM');
    }
  };
  return {
    ...own,
    recordInteraction: async (interaction, idempotencyKey) => {
      const recorded = await records.recordInteraction(interaction, idempotencyKey);
      if (!recorded.replayed) await mirror(recorded.interaction);
      return recorded;
    },
    escalate: async (handoff, escalation, idempotencyKey) => {
      const opened = await records.escalate(handoff, escalation, idempotencyKey);
      if (!opened.replayed) await mirror(escalation);
      return opened;
    },
    getCustomers: async (ids) => {
      const found = await byGraphCustomer(ids, identities, (sys) => system.getCustomers(sys), () => null);
      if (identities.same) return found;
      // Asked by graph id: each answer carries the id it was asked by.
      return withGraphCustomerIds(found.map((c, i) => c && { ...c, id: ids[i] }), identities);
    },
    findCustomersByEmail: async (emails) => asGraphCustomers(await system.findCustomersByEmail(emails), identities),
    findCustomersByPhone: async (phones) => asGraphCustomers(await system.findCustomersByPhone(phones), identities),
    exportCustomer: async (customerId) => {
      const [id] = await identities.toSystem([customerId]);
      const [profile, own] = await Promise.all([id ? system.exportCustomer(id).then((p) => withGraphCustomerIds(p, identities)) : null, records.exportCustomer(customerId)]);
      if (!profile && !own) return null;
      return { ...profile, ...(own ?? { interactions: [], handoffs: [], verificationAttempts: [], verifiedSessions: [], auditLog: [] }) };
    },
    eraseCustomer: async (customerId, at) => {
      // The graph's records first: a CRM that deletes the profile would leave nothing to find a repeat by.
      const own = await records.eraseCustomer(customerId);
      const [id] = await identities.toSystem([customerId]);
      const profile = id ? await system.eraseCustomer(id, at) : null;
      return profile === null && own === 0 ? null : (profile ?? 0) + own;
    },
    drainChanges: async (deliver, limit) => (await records.drainChanges(deliver, limit)) + ((await system.drainChanges?.(deliver, limit)) ?? 0),
    ping: () => system.ping(),
    privacy: system.privacy ?? undescribed(identities.system),
  };
}
