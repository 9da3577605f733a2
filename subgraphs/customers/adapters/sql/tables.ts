import type { OutboxTables } from '../../../shared/outbox';
import type { Generated } from 'kysely';
import type { IdempotencyTables } from '../../../shared/idempotency';

/** The CRM tables in schema `crm`, as kysely sees them (CamelCasePlugin maps to snake_case). */
export interface CrmTables extends IdempotencyTables, OutboxTables {
  customers: {
    id: string;
    firstName: string;
    lastName: string;
    email: string;
    phone: string | null;
    dateOfBirth: string | null;
    preferredLanguage: string;
    locale: string;
    country: string;
    loyaltyTier: string;
    marketingConsent: boolean;
    createdAt: Date;
    updatedAt: Date;
    erasedAt?: Date | null;
  };
  addresses: {
    id: string;
    customerId: string;
    kind: string;
    isDefault: boolean;
    name: string;
    line1: string;
    line2: string | null;
    city: string;
    region: string | null;
    postalCode: string;
    country: string;
  };
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

export type HandoffRow = CrmTables['handoffs'];
export type SessionRow = CrmTables['verifiedSessions'];

export type CustomerRow = CrmTables['customers'];
export type AddressRow = CrmTables['addresses'];
export type InteractionRow = CrmTables['interactions'];
