import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError, badInput, ErrorCode } from '../shared/errors';
import type { CustomersContext } from './context';
import { normalizeEmail } from './identify';
import type { Channel, Customer, VerificationMethod } from './port';

export interface VerifyCallerInput {
  callerId: string;
  channel: Channel;
  method: VerificationMethod;
  answer: string;
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
  }
}

/**
 * Checks one fact, throttled per customer (every attempt is recorded); on success opens a session
 * for the channel whose token is returned once and stored only as a hash.
 */
export async function verifyCaller(ctx: CustomersContext, input: VerifyCallerInput) {
  if (input.answer.length === 0 || input.answer.length > 254) throw badInput('answer must be 1 to 254 characters', { argument: 'answer' });
  const customer = await ctx.loaders.customer.load(input.callerId);
  if (!customer) throw new AppError(ErrorCode.NOT_FOUND, 'No caller with this id', { argument: 'callerId' });
  const { sessionTtlSeconds, maxFailures, windowSeconds } = ctx.config.verification;
  const now = new Date();
  const attempt = await ctx.source.recordVerificationAttempt(
    {
      customerId: customer.id,
      channel: input.channel,
      method: input.method,
      correct: answerMatches(customer, input.method, input.answer),
      agentId: input.agentId ?? null,
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

  const token = randomBytes(32).toString('base64url');
  const session = {
    id: `vs_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
    tokenHash: hashToken(token),
    customerId: customer.id,
    channel: input.channel,
    method: input.method,
    agentId: input.agentId ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + sessionTtlSeconds * 1000),
  };
  await ctx.source.createVerifiedSession(session);
  return { status: 'VERIFIED' as const, session: { ...session, token }, attemptsRemaining, lockedUntil: null };
}

/** The customer a session token stands for, while it lasts. */
export async function customerOfSession(ctx: CustomersContext, token: string): Promise<Customer> {
  const session = token.length > 0 && token.length <= 100 ? await ctx.loaders.sessionByHash.load(hashToken(token)) : null;
  if (!session) throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session is unknown: verify the caller first');
  if (session.expiresAt.getTime() <= Date.now()) {
    throw new AppError(ErrorCode.VERIFICATION_EXPIRED, 'The verification has expired: verify the caller again', {
      expiredAt: session.expiresAt.toISOString(),
    });
  }
  const customer = await ctx.loaders.customer.load(session.customerId);
  if (!customer) throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session is unknown: verify the caller first');
  return customer;
}
