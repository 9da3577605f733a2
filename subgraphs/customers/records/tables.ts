import type { Generated } from 'kysely';
import type { IdempotencyTables } from '../../shared/idempotency';
import type { IdentityTables } from '../../shared/identity';
import type { OutboxTables } from '../../shared/outbox';

/** The graph's own records beside any CRM, in schema `customers_records`, in graph customer ids (CamelCasePlugin maps to snake_case). */
export interface CustomerRecordTables extends IdempotencyTables, IdentityTables, OutboxTables {
  interactions: {
    id: string;
    customerId: string;
    channel: string;
    intent: string;
    outcome: string;
    orderId: string | null;
    lineItemIds: string[];
    stepsTried: string[];
    failureReason: string | null;
    sentiment: string | null;
    summary: string | null;
    agentId: string | null;
    occurredAt: Date;
  };
  verificationAttempts: {
    id: Generated<string>;
    customerId: string;
    channel: string;
    method: string;
    status: string;
    agentId: string | null;
    attemptedAt: Date;
  };
  auditLog: {
    id: Generated<string>;
    at: Date;
    actorKind: string;
    actorId: string;
    channel: string | null;
    customerId: string;
    fields: string[];
  };
  verifiedSessions: {
    id: string;
    tokenHash: string;
    customerId: string;
    channel: string;
    method: string;
    agentId: string | null;
    createdAt: Date;
    expiresAt: Date;
  };
  handoffs: {
    id: string;
    customerId: string;
    status: string;
    fromChannel: string;
    toChannel: string;
    intent: string;
    orderId: string | null;
    lineItemIds: string[];
    stepsTried: string[];
    failureReason: string;
    sentiment: string | null;
    summary: string;
    escalationId: string;
    createdAt: Date;
    acceptedAt: Date | null;
    acceptedBy: string | null;
    resolvedAt: Date | null;
    resolvedBy: string | null;
    resolution: string | null;
    resolutionSummary: string | null;
  };
}

export type InteractionRow = CustomerRecordTables['interactions'];
export type HandoffRow = CustomerRecordTables['handoffs'];
export type SessionRow = CustomerRecordTables['verifiedSessions'];
