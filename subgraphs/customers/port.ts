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

/**
 * What the customers subgraph needs from a CRM. Reads take a list of keys and answer in key order
 * (null, or an empty list, for a missing key):
 *
 *   const customers = new DataLoader((ids) => source.getCustomers(ids));
 */
export interface CustomerSource {
  /** Customers by id, each with their addresses. */
  getCustomers(ids: readonly string[]): Promise<(Customer | null)[]>;
  /** Interactions by id. */
  getInteractions(ids: readonly string[]): Promise<(Interaction | null)[]>;
  /** Each customer's most recent interactions across channels, newest first, at most `first` each. */
  listInteractionsByCustomer(customerIds: readonly string[], first: number): Promise<Interaction[][]>;
  /** Each order's interactions, newest first. */
  listInteractionsByOrder(orderIds: readonly string[]): Promise<Interaction[][]>;
  /** Throws when the backend does not answer. */
  ping(): Promise<void>;
}
