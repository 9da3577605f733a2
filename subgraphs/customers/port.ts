import type { CustomerLinks } from '../shared/identity';
import type { ChangeFeed } from '../shared/outbox';
import type { VendorWebhook } from '../shared/webhooks';
import type { SystemPrivacy } from '../shared/privacy';
export type LoyaltyTier = 'NONE' | 'BRONZE' | 'SILVER' | 'GOLD' | 'PLATINUM';
export type Channel = 'PORTAL' | 'CHAT' | 'VOICE' | 'EMAIL' | 'SMS' | 'SOCIAL' | 'HUMAN_DESK';
export type Intent =
  | 'WHERE_IS_MY_ORDER' | 'RETURN' | 'REFUND_STATUS' | 'PAYMENT_DISPUTE' | 'ADDRESS_CHANGE' | 'PRODUCT_QUESTION' | 'OTHER';
export type InteractionOutcome = 'RESOLVED' | 'ABANDONED' | 'ESCALATED' | 'IN_PROGRESS';
export type Sentiment = 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE';

export interface Address {
  id: string;
  kind: 'SHIPPING' | 'BILLING';
  isDefault: boolean;
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  region: string | null;
  postalCode: string;
  country: string;
}

export interface Customer {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  dateOfBirth: string | null;
  preferredLanguage: string;
  locale: string;
  country: string;
  loyaltyTier: LoyaltyTier;
  marketingConsent: boolean;
  createdAt: Date;
  updatedAt: Date;
  addresses: Address[];
}

export interface Interaction {
  id: string;
  customerId: string;
  channel: Channel;
  intent: Intent;
  outcome: InteractionOutcome;
  orderId: string | null;
  lineItemIds: string[];
  stepsTried: string[];
  failureReason: string | null;
  sentiment: Sentiment | null;
  summary: string | null;
  agentId: string | null;
  occurredAt: Date;
}

export type VerificationMethod = 'POSTAL_CODE' | 'PHONE_LAST4' | 'EMAIL' | 'DATE_OF_BIRTH';
export type VerificationStatus = 'VERIFIED' | 'WRONG_ANSWER' | 'LOCKED';
export type HandoffStatus = 'OPEN' | 'ACCEPTED' | 'RESOLVED';

export interface VerificationAttempt {
  customerId: string;
  channel: Channel;
  method: VerificationMethod;
  /** Whether the answer matched what is on file. */
  correct: boolean;
  agentId: string | null;
  at: Date;
}

export interface VerifiedSession {
  id: string;
  tokenHash: string;
  customerId: string;
  channel: Channel;
  method: VerificationMethod;
  agentId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface Handoff {
  id: string;
  customerId: string;
  status: HandoffStatus;
  fromChannel: Channel;
  toChannel: Channel;
  intent: Intent;
  orderId: string | null;
  lineItemIds: string[];
  stepsTried: string[];
  failureReason: string;
  sentiment: Sentiment | null;
  summary: string;
  escalationId: string;
  createdAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: InteractionOutcome | null;
  resolutionSummary: string | null;
}

export interface AuditEntry {
  id: string;
  at: Date;
  actorKind: string;
  actorId: string;
  channel: Channel | null;
  customerId: string;
  fields: string[];
}

export interface AuditFilter {
  customerId?: string | null;
  actorId?: string | null;
  from?: Date | null;
  to?: Date | null;
  first: number;
}

export interface ContactCount {
  channel: Channel;
  intent: Intent;
  outcome: InteractionOutcome;
  contacts: number;
}

/** The median and the 90th percentile of a wait, in seconds. */
export interface Percentiles {
  p50: number;
  p90: number;
}

/** Handoffs opened in a period from one channel to another: how many, and how long they waited to be taken and closed. */
export interface HandoffTimes {
  fromChannel: Channel;
  toChannel: Channel;
  opened: number;
  accepted: number;
  resolved: number;
  /** From opened to accepted, over those accepted (null when none was). */
  toAcceptance: Percentiles | null;
  /** From opened to resolved, over those resolved (null when none was). */
  toResolution: Percentiles | null;
}

/**
 * What a CRM adapter implements: the customer profile, which the CRM is the truth for, in the CRM's
 * own customer ids (`Customer.id`). Reads take a list of keys and answer in key order (null, or an
 * empty list, for a missing key):
 *
 *   const customers = new DataLoader((ids) => system.getCustomers(ids));
 */
export interface CustomerSystem extends ChangeFeed, CustomerLinks {
  /** How far this system's API reaches for GDPR export and erasure (said in the answers to both). */
  privacy?: SystemPrivacy;
  /** Customers by id, each with their addresses. */
  getCustomers(ids: readonly string[]): Promise<(Customer | null)[]>;
  /** Customers by email, compared in lower case; several customers may share one. */
  findCustomersByEmail(emails: readonly string[]): Promise<Customer[][]>;
  /** Customers by phone number in E.164. */
  findCustomersByPhone(phones: readonly string[]): Promise<Customer[][]>;
  /** The profile the CRM holds (GDPR access), as plain data; null when unknown. */
  exportCustomer(customerId: string): Promise<Record<string, unknown> | null>;
  /**
   * The CRM's part of GDPR erasure: the profile and its addresses pseudonymized or deleted, as the
   * CRM allows. Answers the records changed (a repeat changes them again, harmlessly), null when unknown.
   */
  eraseCustomer(customerId: string, at: Date): Promise<number | null>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
  /**
   * Mirrors an interaction the graph newly recorded into the CRM (HubSpot: a note on the contact),
   * for the brand's own agents; `customerId` is the CRM's. Idempotent per interaction id. Optional.
   */
  recordEngagement?(interaction: Interaction): Promise<void>;
  /** Its vendor's webhooks, served by the subgraph (subgraphs/shared/webhooks.ts). */
  readonly webhooks?: readonly VendorWebhook[];
}

/**
 * What the customers subgraph reads and writes: the CRM's profiles (in graph customer ids) and the
 * graph's own records (interactions, handoffs, verification, sessions, audit) together
 * (subgraphs/customers/source.ts composes them). Resolvers, loaders and the cache see only this.
 */
export interface CustomerSource extends Omit<CustomerSystem, keyof CustomerLinks | 'webhooks' | 'exportCustomer' | 'eraseCustomer' | 'recordEngagement' | 'privacy'> {
  /** The system of record's GDPR reach, named in the export and the erasure report. */
  privacy: SystemPrivacy;
  /** Interactions by id. */
  getInteractions(ids: readonly string[]): Promise<(Interaction | null)[]>;
  /** Each customer's most recent interactions across channels, newest first, at most `first` each. */
  listInteractionsByCustomer(customerIds: readonly string[], first: number): Promise<Interaction[][]>;
  /** Each order's interactions, newest first. */
  listInteractionsByOrder(orderIds: readonly string[]): Promise<Interaction[][]>;
  /**
   * Records a verification attempt atomically against the customer's recent failures: LOCKED
   * (whatever the answer) once `maxFailures` wrong answers were given since `windowStart`.
   * Concurrent attempts for one customer are counted one at a time, so guesses cannot race the lock.
   */
  recordVerificationAttempt(
    attempt: VerificationAttempt,
    policy: { windowStart: Date; maxFailures: number },
  ): Promise<{ status: VerificationStatus; failuresInWindow: number; oldestFailureAt: Date | null }>;
  createVerifiedSession(session: VerifiedSession): Promise<void>;
  /** Sessions by id (a session's token is a JWT naming it; erasure deletes sessions, revoking them). */
  getVerifiedSessions(tokenHashes: readonly string[]): Promise<(VerifiedSession | null)[]>;
  /** Records an interaction once per idempotency key; a repeat answers the first one. */
  recordInteraction(interaction: Interaction, idempotencyKey: string): Promise<{ interaction: Interaction; replayed: boolean }>;
  /**
   * Records the escalating interaction and opens its handoff, together, once per idempotency key.
   * While the customer has an unresolved handoff for the same order (or none) and intent, the
   * escalation joins it instead: its steps and items are added, its reason, summary, sentiment and
   * target channel replace the old ones, and that handoff is answered. One open handoff per question.
   */
  escalate(handoff: Handoff, escalation: Interaction, idempotencyKey: string): Promise<{ handoff: Handoff; replayed: boolean }>;
  /** Handoffs by id. */
  getHandoffs(ids: readonly string[]): Promise<(Handoff | null)[]>;
  /** Each customer's handoffs, newest first, at most `first` each. */
  listHandoffsByCustomer(customerIds: readonly string[], first: number): Promise<Handoff[][]>;
  /** Each customer's unresolved (OPEN or ACCEPTED) handoffs, newest first: every one, however old. */
  listOpenHandoffsByCustomer(customerIds: readonly string[]): Promise<Handoff[][]>;
  /** OPEN → ACCEPTED; answers the handoff as it now is (unchanged when it was not OPEN), null when unknown. */
  acceptHandoff(id: string, acceptance: { agentId: string; at: Date }): Promise<Handoff | null>;
  /**
   * OPEN or ACCEPTED → RESOLVED, recording the closing interaction with it, once per idempotency
   * key (a repeat answers the resolved handoff). Throws NOT_FOUND for an unknown handoff and
   * CONFLICT for one already resolved under another key.
   */
  resolveHandoff(
    id: string,
    resolution: { agentId: string; outcome: InteractionOutcome; summary: string; at: Date },
    closing: Interaction,
    idempotencyKey: string,
  ): Promise<Handoff>;
  /** Interactions in [from, to), counted by channel, intent and outcome. */
  countContacts(from: Date, to: Date): Promise<ContactCount[]>;
  /** Handoffs opened in [from, to), by the channel they came from and went to, with their waits. */
  handoffTimes(from: Date, to: Date): Promise<HandoffTimes[]>;
  /** Appends to the audit log, all entries or none. */
  recordAudit(entries: readonly Omit<AuditEntry, 'id'>[]): Promise<void>;
  /** Audit entries matching every filter given, newest first. */
  listAudit(filter: AuditFilter): Promise<AuditEntry[]>;
  /** Everything the CRM and the graph's records hold about a customer (GDPR access), as plain data; null when unknown to both. */
  exportCustomer(customerId: string): Promise<Record<string, unknown> | null>;
  /**
   * Pseudonymizes the customer's personal data (GDPR erasure): profile and addresses in the CRM,
   * free text of interactions and handoffs; deletes their sessions. Answers the records changed (a
   * repeat changes them again, harmlessly), null when the customer is unknown to both.
   */
  eraseCustomer(customerId: string, at: Date): Promise<number | null>;
}
