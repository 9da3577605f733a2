import { createHash, randomUUID } from 'node:crypto';
import { requireRole, serviceMay, signSessionToken, verifyIdentification } from '../shared/auth';
import { AppError, badInput, ErrorCode } from '../shared/errors';
import type { CustomersContext } from './context';
import { normalizeEmail } from './identify';
import type { Channel, Customer, VerificationMethod } from './port';

export interface VerifyCallerInput {
  callerId: string;
  channel: Channel;
  method: VerificationMethod;
  answer: string;
  /** The handle of the identify answer that found the caller: who, and by which fact. */
  identification: string;
  /** Ignored: the attempt is recorded as the calling agent. */
  agentId?: string | null;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const compact = (s: string) => s.replace(/[\s-]/g, '').toUpperCase();

/** Whether the caller's answer is what the CRM has on file. */
export function answerMatches(customer: Customer, method: VerificationMethod, answer: string): boolean {
  switch (method) {
    case 'POSTAL_CODE': {
      const given = compact(answer);
      return given.length >= 3 && customer.addresses.some((a) => a.kind === 'SHIPPING' && compact(a.postalCode) === given);
    }
    case 'PHONE_LAST4': {
      const digits = answer.replace(/\D/g, '');
      return digits.length === 4 && (customer.phone ?? '').endsWith(digits);
    }
    case 'EMAIL':
      try {
        return normalizeEmail(answer) === customer.email.toLowerCase();
      } catch {
        return false;
      }
    case 'DATE_OF_BIRTH':
      return customer.dateOfBirth !== null && isoDate(answer) === customer.dateOfBirth;
  }
}

/** "1984-03-07", "7.3.1984", "07/03/1984" (day first) → "1984-03-07"; null when it is no date. */
function isoDate(answer: string): string | null {
  const trimmed = answer.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  const dayFirst = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(trimmed);
  const parts = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : null;
  return parts && `${parts[0]}-${parts[1].padStart(2, '0')}-${parts[2].padStart(2, '0')}`;
}

/**
 * Refuses a verification that would prove nothing: without a valid identification of this caller
 * on this channel, or with a fact of the class the caller was identified by (an email to verify
 * who was found by that email). The allowed pairs are VERIFICATION_METHODS.
 */
function checkSecondFact(ctx: CustomersContext, input: VerifyCallerInput, channel: Channel): void {
  const found = verifyIdentification(input.identification, ctx.config.gatewaySecret);
  if (!found || found.customerId !== input.callerId || (found.channel !== null && found.channel !== channel)) {
    throw badInput('identification is not this caller’s, or has expired: identify the caller again and send the identification it answers', { argument: 'identification' });
  }
  const allowed = ctx.config.verification.methodsAfter[found.by] ?? [];
  if (!allowed.includes(input.method)) {
    const others = allowed.length ? `verify with ${allowed.join(', ')}` : 'no method may verify them';
    throw badInput(`The caller was identified by ${found.by.replace('_', ' ').toLowerCase()}: ${input.method} cannot verify them; ${others}`, { argument: 'method' });
  }
}

/**
 * Checks a second fact (one the identification did not use), throttled per customer (every attempt is recorded); on success opens a session
 * for the agent's channel whose token (a short JWT the gateway checks) is returned once and stored
 * only as a hash.
 */
export async function verifyCaller(ctx: CustomersContext, input: VerifyCallerInput) {
  const { viewer } = ctx;
  requireRole(viewer, ['agent'], 'verify a caller');
  if (viewer.kind !== 'agent' || input.channel !== viewer.channel) throw new AppError(ErrorCode.FORBIDDEN, 'An agent verifies callers on its own channel only');
  if (input.answer.length === 0 || input.answer.length > 254) throw badInput('answer must be 1 to 254 characters', { argument: 'answer' });
  const customer = await ctx.loaders.customer.load(input.callerId);
  if (!customer) throw new AppError(ErrorCode.NOT_FOUND, 'No caller with this id', { argument: 'callerId' });
  checkSecondFact(ctx, input, viewer.channel);
  const { sessionTtlSeconds, maxFailures, windowSeconds } = ctx.config.verification;
  const now = new Date();
  const attempt = await ctx.source.recordVerificationAttempt(
    {
      customerId: customer.id,
      channel: input.channel,
      method: input.method,
      correct: answerMatches(customer, input.method, input.answer),
      agentId: viewer.id,
      at: now,
    },
    { windowStart: new Date(now.getTime() - windowSeconds * 1000), maxFailures },
  );
  const attemptsRemaining = Math.max(0, maxFailures - attempt.failuresInWindow);
  const lockedUntil =
    attempt.status === 'LOCKED' || attemptsRemaining === 0
      ? new Date((attempt.oldestFailureAt ?? now).getTime() + windowSeconds * 1000)
      : null;
  if (attempt.status !== 'VERIFIED') return { status: attempt.status, session: null, attemptsRemaining, lockedUntil };

  const id = `vs_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  const expiresAt = new Date(now.getTime() + sessionTtlSeconds * 1000);
  const token = await signSessionToken({ sessionId: id, customerId: customer.id, channel: input.channel, expiresAt }, ctx.config.gatewaySecret);
  const session = {
    id,
    tokenHash: hashToken(token),
    customerId: customer.id,
    channel: input.channel,
    method: input.method,
    agentId: viewer.id,
    createdAt: now,
    expiresAt,
  };
  await ctx.source.createVerifiedSession(session);
  return { status: 'VERIFIED' as const, session: { ...session, token }, attemptsRemaining, lockedUntil: null };
}

/**
 * The customer the agent's verified session (checked by the gateway) stands for, while it lasts and
 * exists: erasing a customer deletes their sessions.
 */
export async function verifiedCustomerOf(ctx: CustomersContext): Promise<Customer> {
  const { viewer } = ctx;
  if (viewer.kind === 'service' && viewer.customerId && serviceMay(viewer, '*')) {
    const customer = await ctx.loaders.customer.load(viewer.customerId);
    if (customer) return customer;
  }
  if (viewer.kind !== 'agent') throw new AppError(ErrorCode.FORBIDDEN, 'Only agents have verified sessions');
  if (!viewer.customerId || !viewer.sessionId) {
    throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'Verify the caller first, then send the session in X-Verified-Session');
  }
  // The session's token names its customer: both are read at the same time rather than one after
  // the other, and the customer is answered only if the session is still there and theirs.
  const [session, customer] = await Promise.all([ctx.loaders.session.load(viewer.sessionId), ctx.loaders.customer.load(viewer.customerId)]);
  if (!session || session.customerId !== viewer.customerId) throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session is unknown: verify the caller first');
  if (!customer) throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session is unknown: verify the caller first');
  return customer;
}
