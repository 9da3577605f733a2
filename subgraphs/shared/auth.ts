import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { AppError, ErrorCode } from './errors';

export const CHANNELS = ['PORTAL', 'CHAT', 'VOICE', 'EMAIL', 'SMS', 'SOCIAL', 'HUMAN_DESK'] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * Who is asking, as the gateway verified it and every subgraph sees it in `ctx.viewer`.
 * - customer: signed in to the portal or app; `id` is their customer id.
 * - agent: a channel's bot or human desk; `customerId` is the customer its verified session unlocked.
 * - operations: aggregates, the audit log and GDPR requests; no single customer's data.
 * - service: the graph itself (the return saga, GDPR erasure) or a gateway with AUTH_DISABLED.
 */
export const viewerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('customer'), id: z.string().min(1) }),
  z.object({
    kind: z.literal('agent'),
    id: z.string().min(1),
    channel: z.enum(CHANNELS),
    customerId: z.string().min(1).optional(),
    sessionId: z.string().min(1).optional(),
  }),
  z.object({ kind: z.literal('operations'), id: z.string().min(1) }),
  z.object({ kind: z.literal('service'), id: z.string().min(1), customerId: z.string().min(1).optional() }),
]);
export type Viewer = z.infer<typeof viewerSchema>;

/** The header the gateway (or a subgraph calling another) sends with every subgraph request. */
export const VIEWER_HEADER = 'x-ccg-viewer';

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');

/** `base64url(claims).hmac`: the claims, and proof that someone holding the gateway secret sent them. */
export function signViewer(viewer: Viewer, secret: string): string {
  const payload = Buffer.from(JSON.stringify(viewer)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

/**
 * Headers already verified, with the secret they were verified under. A header is the same bytes
 * for the same caller (no nonce), so every request of a call repeats one: the HMAC and the parse
 * are paid once per caller, not per subgraph request. Forged headers are never remembered.
 */
const verifiedViewers = new LRUCache<string, { secret: string; viewer: Viewer }>({ max: 10_000 });

/** The viewer a signed header names, or null when the header is missing, forged or malformed. */
export function verifyViewer(header: string | undefined, secret: string): Viewer | null {
  if (!header || header.length > 2_000) return null;
  const known = verifiedViewers.get(header);
  if (known?.secret === secret) return known.viewer;
  const viewer = checkViewer(header, secret);
  if (viewer) verifiedViewers.set(header, { secret, viewer: Object.freeze(viewer) });
  return viewer;
}

function checkViewer(header: string, secret: string): Viewer | null {
  const dot = header.indexOf('.');
  if (dot < 1) return null;
  const payload = header.slice(0, dot);
  const given = Buffer.from(header.slice(dot + 1));
  const expected = Buffer.from(sign(payload, secret));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = viewerSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Whether the viewer may read this customer's data: their own, or the one their session verified. */
export function mayRead(viewer: Viewer, customerId: string): boolean {
  switch (viewer.kind) {
    case 'customer':
      return viewer.id === customerId;
    case 'agent':
      return viewer.customerId === customerId;
    case 'service':
      return true;
    case 'operations':
      return false;
  }
}

/** The record if the viewer may read it, else null: someone else's data answers as if it did not exist. */
export function visible<T extends { customerId: string | null }>(viewer: Viewer, record: T | null | undefined): T | null {
  return record && (viewer.kind === 'service' || (record.customerId !== null && mayRead(viewer, record.customerId))) ? record : null;
}

/** Refuses a caller whose role may not do this at all. */
export function requireRole(viewer: Viewer, roles: Viewer['kind'][], what: string): void {
  if (!roles.includes(viewer.kind)) throw new AppError(ErrorCode.FORBIDDEN, `Only ${roles.join(' or ')} callers may ${what}`);
}

/**
 * Who a write on this customer's behalf is recorded as, after checking the caller may act for
 * them: the customer on the portal, or the agent (its id, its token's channel) with a verified
 * session for this customer. `channel` is what the input claims; an agent may only write as its own.
 */
export function actorFor(viewer: Viewer, customerId: string, channel?: Channel): { channel: Channel | null; agentId: string | null } {
  requireActor(viewer);
  if (viewer.kind === 'service') return { channel: channel ?? null, agentId: null };
  if (viewer.kind === 'customer') {
    if (viewer.id !== customerId) throw new AppError(ErrorCode.NOT_FOUND, 'No customer with this id', { argument: 'customerId' });
    if (channel && channel !== 'PORTAL') throw new AppError(ErrorCode.FORBIDDEN, 'A customer writes through the PORTAL channel only');
    return { channel: 'PORTAL', agentId: null };
  }
  // An agent, verified (requireActor refused operations and agents without a session).
  const agent = viewer as Extract<Viewer, { kind: 'agent' }>;
  if (agent.customerId !== customerId) throw new AppError(ErrorCode.NOT_FOUND, 'No customer with this id', { argument: 'customerId' });
  if (channel && channel !== agent.channel) throw new AppError(ErrorCode.FORBIDDEN, `This agent writes as ${agent.channel} only`);
  return { channel: agent.channel, agentId: agent.id };
}

/** The header an agent sends its verified session in, with every request of the conversation. */
export const SESSION_HEADER = 'x-verified-session';

/** Refuses callers that cannot write for any customer now: operations, and agents before verification. */
export function requireActor(viewer: Viewer): void {
  if (viewer.kind === 'operations') throw new AppError(ErrorCode.FORBIDDEN, 'Operations callers do not act for a customer');
  if (viewer.kind === 'agent' && !viewer.customerId) throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'Verify the caller first (send X-Verified-Session)');
}

const SESSION_ISSUER = 'ccg-customers';
const SESSION_AUDIENCE = 'ccg-verified-session';

export interface SessionClaims {
  sessionId: string;
  customerId: string;
  channel: Channel;
  expiresAt: Date;
}

/** A verified session as a short-lived JWT (HS256, the gateway secret): the gateway checks it without a lookup. */
export async function signSessionToken(session: SessionClaims, secret: string): Promise<string> {
  return new SignJWT({ cid: session.customerId, ch: session.channel })
    .setProtectedHeader({ alg: 'HS256' })
    .setJti(session.sessionId)
    .setIssuer(SESSION_ISSUER)
    .setAudience(SESSION_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(session.expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
}

const sessionPayload = z.object({ jti: z.string().min(1), cid: z.string().min(1), ch: z.enum(CHANNELS), exp: z.number() });

/**
 * A token verifier that remembers what each token verified as until it expires (`expiresAt`, ms):
 * a conversation sends the same tokens every turn, and the crypto need not run every turn.
 * Refusals are not remembered.
 */
export function rememberUntilExpiry<T>(verify: (token: string) => Promise<T>, expiresAt: (verified: T) => number, max = 50_000): (token: string) => Promise<T> {
  const known = new LRUCache<string, { verified: T; expiresAt: number }>({ max });
  return async (token) => {
    const cached = known.get(token);
    if (cached && cached.expiresAt > Date.now()) return cached.verified;
    const verified = await verify(token);
    known.set(token, { verified, expiresAt: expiresAt(verified) });
    return verified;
  };
}

/** `verifySessionToken`, remembered until each session expires. */
export const createSessionVerifier = (secret: string): ((token: string) => Promise<SessionClaims>) =>
  rememberUntilExpiry((token) => verifySessionToken(token, secret), (session) => session.expiresAt.getTime());

/** The session a token stands for; VERIFICATION_EXPIRED or VERIFICATION_REQUIRED otherwise. */
export async function verifySessionToken(token: string, secret: string): Promise<SessionClaims> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      issuer: SESSION_ISSUER,
      audience: SESSION_AUDIENCE,
      algorithms: ['HS256'],
    });
    const claims = sessionPayload.parse(payload);
    return { sessionId: claims.jti, customerId: claims.cid, channel: claims.ch, expiresAt: new Date(claims.exp * 1000) };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      throw new AppError(ErrorCode.VERIFICATION_EXPIRED, 'The verification has expired: verify the caller again');
    }
    throw new AppError(ErrorCode.VERIFICATION_REQUIRED, 'This session is unknown: verify the caller first');
  }
}
