/** What a system of record did with a customer's data on a GDPR request (machine-readable). */
export type PrivacyAction = 'EXPORTED' | 'DELETED' | 'PSEUDONYMIZED' | 'KEPT_FOR_BOOKKEEPING' | 'NOT_SUPPORTED' | 'NOTHING_HELD';

/** One system's part of an export or an erasure: which adapter holds the data, and what was done there. */
export interface PrivacyStep {
  /** The adapter: sql, commercetools, stripe, hubspot, easypost. */
  system: string;
  action: PrivacyAction;
  /** One line a privacy officer can read. */
  detail: string;
}

/** How far a system of record's API reaches for GDPR requests; each adapter says it of itself. */
export interface SystemPrivacy {
  export: PrivacyStep;
  erasure: PrivacyStep;
}

/** For a system port without a description (test doubles): named, but not claimed to do anything. */
export const undescribed = (system: string): SystemPrivacy => ({
  export: { system, action: 'EXPORTED', detail: 'What the system answered for the customer' },
  erasure: { system, action: 'NOT_SUPPORTED', detail: 'The adapter does not describe its erasure' },
});
