import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { signViewer, VIEWER_HEADER, type Viewer } from '../subgraphs/shared/auth';
import { groupCommit } from '../subgraphs/shared/batch';
import type { Config } from '../subgraphs/shared/config';
import { ErrorCode } from '../subgraphs/shared/errors';
import type { Logger } from '../subgraphs/shared/logger';

/** What the CRM reports in `extensions.audit`: the profile fields a response holds, by customer. */
const auditedReads = z.array(z.object({ customerId: z.string(), fields: z.array(z.string()) }));
export type AuditedReads = z.infer<typeof auditedReads>;

/** The reads a subgraph response reports, or none (a response from another subgraph, or unreadable). */
export const readsIn = (extensions: Record<string, unknown> | undefined): AuditedReads => {
  if (!extensions?.audit) return [];
  const parsed = auditedReads.safeParse(extensions.audit);
  return parsed.success ? parsed.data : [];
};

/** The refusal an answer is replaced by when its audit entry cannot be written. */
export const AUDIT_UNAVAILABLE = { message: 'The audit log is unavailable; try again', extensions: { code: ErrorCode.BACKEND_UNAVAILABLE } };

/**
 * The audit log as the gateway keeps it: every answer that holds a customer's profile, whether
 * the CRM computed it now or the gateway reuses a cached one, is written down (one entry per
 * customer per request: who, channel, customer, fields, when) through the CRM before it leaves.
 * Entries of concurrent requests go in one write (the CRM's POST /audit); if it fails, the answer
 * is withheld. `record` is that write for answers served before the GraphQL pipeline (warm hits),
 * `plugin` for the rest.
 */
export function createAuditLog(config: Pick<Config, 'subgraphs' | 'gatewaySecret'>, logger: Logger) {
  const url = new URL('/audit', config.subgraphs.customers.url);
  // The audit writer's own identity: it may POST /audit and nothing else (SERVICE_GRANTS).
  const writer: Viewer = { kind: 'service', id: 'gateway-audit' };
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000, headersTimeout: 5_000, bodyTimeout: 5_000 });
  const write = groupCommit(async (entries: object[]) => {
    const viewer = signViewer(writer, config.gatewaySecret, { audience: 'customers', requestId: randomUUID() });
    const response = await request(url, { method: 'POST', headers: { 'content-type': 'application/json', [VIEWER_HEADER]: viewer }, body: JSON.stringify({ entries }), dispatcher });
    const answer = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`the CRM answered ${response.statusCode}: ${answer.slice(0, 200)}`);
  });
  /** Writes one request's reads (one entry per customer); rejects, logged, when the CRM did not take them. */
  async function record(viewer: Viewer, audit: AuditedReads): Promise<void> {
    const byCustomer = new Map<string, Set<string>>();
    for (const read of audit) {
      const fields = byCustomer.get(read.customerId) ?? new Set<string>();
      read.fields.forEach((f) => fields.add(f));
      byCustomer.set(read.customerId, fields);
    }
    await writeEntries(viewer, byCustomer);
  }
  async function writeEntries(viewer: Viewer, byCustomer: Map<string, Set<string>>): Promise<void> {
    if (!byCustomer.size) return;
    const at = new Date().toISOString();
    const channel = viewer.kind === 'agent' ? viewer.channel : null;
    const entries = [...byCustomer].map(([customerId, fields]) => ({ at, actorKind: viewer.kind, actorId: viewer.id, channel, customerId, fields: [...fields].sort() }));
    try {
      await write(entries);
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'audit log unavailable: the answer is withheld');
      throw err;
    }
  }
  /**
   * Starts writing the entries of reads a subgraph just reported, while the rest of the plan runs:
   * the entry's write costs the answer no wait of its own. `expected` are fields the operation's
   * last answer reported for that customer in later rounds (the brief's): written now too, so the
   * answer still makes one entry per customer; a field the answer then lacks (a later round failed)
   * stays named, as the log errs toward access, never away from it. What a later round reports
   * beyond them is written before the answer leaves (willSendResponse).
   */
  function recordEarly(context: AuditContext, reads: AuditedReads, expected: (customerId: string) => readonly string[] = () => []): void {
    const { viewer } = context;
    if (!viewer || context.refreshAhead) return;
    const writes = (context.auditWrites ??= { written: new Map<string, Set<string>>(), pending: [] as Promise<void>[] });
    const now = new Map<string, Set<string>>();
    for (const read of reads) {
      if (writes.written.has(read.customerId)) continue;
      const fields = now.get(read.customerId) ?? new Set(expected(read.customerId));
      read.fields.forEach((f) => fields.add(f));
      now.set(read.customerId, fields);
    }
    if (!now.size) return;
    for (const [customerId, fields] of now) writes.written.set(customerId, fields);
    const pending = writeEntries(viewer, now);
    pending.catch(() => undefined);
    writes.pending.push(pending);
  }
  const plugin: ApolloServerPlugin<AuditContext> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const { viewer, audit, auditWrites } = contextValue;
          // A background refresh of a cached answer is shown to no one: its reads are logged when it is served.
          if (!viewer || !audit?.length || contextValue.refreshAhead || response.body.kind !== 'single') return;
          // What the early writes did not cover: customers not written yet, fields reported after them.
          const rest = new Map<string, Set<string>>();
          for (const read of audit) {
            const written = auditWrites?.written.get(read.customerId);
            for (const f of read.fields) {
              if (written?.has(f)) continue;
              const fields = rest.get(read.customerId) ?? new Set<string>();
              fields.add(f);
              rest.set(read.customerId, fields);
            }
          }
          try {
            await Promise.all([...(auditWrites?.pending ?? []), writeEntries(viewer, rest)]);
          } catch {
            response.body.singleResult = { errors: [AUDIT_UNAVAILABLE] };
          }
        },
      };
    },
  };
  return { record, recordEarly, plugin };
}

/** What the audit log reads from the gateway's request context. */
interface AuditContext {
  viewer?: Viewer;
  audit?: AuditedReads;
  refreshAhead?: number;
  /** Entries already being written for this request (recordEarly), by customer, and their writes. */
  auditWrites?: { written: Map<string, Set<string>>; pending: Promise<void>[] };
}
