import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { IDENTIFIED_BY } from './config';
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
    /** When the verified session ends (ms since epoch): every subgraph refuses the session after it. */
    sessionExpiresAt: z.number().optional(),
  }),
  z.object({ kind: z.literal('operations'), id: z.string().min(1) }),
  z.object({ kind: z.literal('service'), id: z.string().min(1), customerId: z.string().min(1).optional() }),
]);
export type Viewer = z.infer<typeof viewerSchema>;

/**
 * The graph's own service identities and the internal operations each may run (the mutation's
 * field name, or `audit` for the CRM's POST /audit), and nothing else: no customer's data. A
 * service never carries the caller it works for. `unrestricted` (every operation, every read) is
 * minted only by a gateway with AUTH_DISABLED, the in-process monolith and the benchmark; subgraphs
 * refuse it when NODE_ENV=production.
 */
export const SERVICE_GRANTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  // The gateway's audit writer.
  'gateway-audit': ['audit'],
  // The CRM's GDPR erasure, over the other systems; its check of the order a write names.
  customers: ['eraseOrderData', 'erasePaymentData', 'eraseShipmentData', 'orderReference'],
  // The OMS's return saga; linking its customers to the graph's by email.
  orders: ['issueReturnLabel', 'voidReturnLabel', 'registerShipments', 'registerExpectedRefund', 'cancelExpectedRefund', 'customerEmails'],
  // Linking its customers to the graph's by email.
  payments: ['customerEmails'],
  unrestricted: ['*'],
});
export const UNRESTRICTED_SERVICE = 'unrestricted';

/** Whether the viewer is a service identity granted this internal operation. */
export const serviceMay = (viewer: Viewer, operation: string): boolean =>
  viewer.kind === 'service' && (SERVICE_GRANTS[viewer.id]?.some((grant) => grant === operation || grant === '*') ?? false);

/** Refuses any caller but a service identity granted this internal operation. */
export function requireService(viewer: Viewer, operation: string): void {
  if (!serviceMay(viewer, operation)) throw new AppError(ErrorCode.FORBIDDEN, `Only the graph's own services granted ${operation} may run it`);
}

/** The header the gateway (or a subgraph calling another) sends with every subgraph request. */
/**
 * Sent by the gateway on each subgraph fetch of a read-only request (a query): a subgraph keeps one
 * set of loaders for all that request's rounds reaching it, so a later round (the brief's
 * @requires) reuses what an earlier one read instead of calling its backend again.
 */
export const TURN_HEADER = 'x-ccg-turn';
export const VIEWER_HEADER = 'x-ccg-viewer';

/** How long a forwarded caller is good for by default: long enough to cross the network, too short to keep. */
export const VIEWER_TTL_MS = 15_000;

const sign = (payload: string, secret: string) => createHmac('sha256', secret).update(payload).digest('base64url');
/** Whether `mac` is the HMAC of `payload` under `secret`, compared in constant time. */
function signedBy(payload: string, mac: string, secret: string): boolean {
  const given = Buffer.from(mac);
  const expected = Buffer.from(sign(payload, secret));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What binds one forwarded caller to one request to one subgraph. */
export interface ViewerBinding {
  /** The subgraph (or route's subgraph) the header is for. */
  audience: string;
  /** Correlates the subgraph's work with the request that caused it. */
  requestId: string;
  /** Default VIEWER_TTL_MS. */
  ttlMs?: number;
  now?: number;
}

/**
 * `identity.binding.hmac`, each part base64url JSON. The identity (kind, id, channel, the customer
 * a session unlocked) decides what the caller may see and is the same bytes on every request of
 * that caller: the gateway's caches key by it (`callerKeyOf`). The binding (audience, expiry,
 * request id, the session and its expiry) makes a captured header useless seconds later or at
 * another subgraph.
 */
export function signViewer(viewer: Viewer, secret: string, binding: ViewerBinding): string {
  const { sessionId, sessionExpiresAt, ...identity } = viewer as Viewer & { sessionId?: string; sessionExpiresAt?: number };
  const claims = { aud: binding.audience, exp: (binding.now ?? Date.now()) + (binding.ttlMs ?? VIEWER_TTL_MS), rid: binding.requestId, sid: sessionId, sexp: sessionExpiresAt };
  const payload = `${callerKeyOf(identity as Viewer)}.${b64(claims)}`;
  return `${payload}.${sign(payload, secret)}`;
}

/** The stable part of a forwarded caller: what decides scope and masking, without the per-request binding. */
export const callerKeyOf = (viewer: Viewer): string => {
  const v = viewer as Viewer & { channel?: string; customerId?: string };
  return b64({ kind: v.kind, id: v.id, channel: v.channel, customerId: v.customerId });
};

/** The caller key of a signed header (its first part), for caches that see only headers. */
export const callerKeyOfHeader = (header: string): string => {
  const dot = header.indexOf('.');
  return dot < 0 ? header : header.slice(0, dot);
};

const bindingSchema = z.object({ aud: z.string(), exp: z.number(), rid: z.string().max(100), sid: z.string().optional(), sexp: z.number().optional() });

/**
 * Headers already verified, by their bytes, until they expire: the gateway signs once per request
 * and subgraph, and a request's several fetches to one subgraph pay the HMAC and the parse once.
 * Bounded, and forged headers are never remembered.
 */
const verifiedViewers = new LRUCache<string, { secret: string; audience: string; viewer: Viewer; expiresAt: number }>({ max: 10_000 });

const unauthenticated = (message: string) => new AppError(ErrorCode.UNAUTHENTICATED, message);

/**
 * The viewer a signed header names, for this subgraph (`audience`), now. UNAUTHENTICATED when the
 * header is missing, forged, malformed, expired or for another subgraph; VERIFICATION_EXPIRED when
 * it carries an agent whose verified session has ended.
 */
export function verifyViewer(header: string | undefined, secret: string, audience: string, options: { allowUnrestricted?: boolean; now?: number } = {}): Viewer {
  const now = options.now ?? Date.now();
  if (!header || header.length > 2_000) throw unauthenticated('Subgraphs answer the gateway only');
  let known = verifiedViewers.get(header);
  if (!known || known.secret !== secret || known.audience !== audience) {
    const checked = checkViewer(header, secret);
    if (!checked) throw unauthenticated('Subgraphs answer the gateway only');
    if (checked.audience !== audience) throw unauthenticated('This forwarded caller is for another service');
    known = { secret, ...checked };
    if (checked.expiresAt > now) verifiedViewers.set(header, known, { ttl: Math.max(1, checked.expiresAt - now) });
  }
  if (known.expiresAt <= now) throw unauthenticated('This forwarded caller has expired');
  const { viewer } = known;
  if (viewer.kind === 'service' && viewer.id === UNRESTRICTED_SERVICE && options.allowUnrestricted === false) throw unauthenticated('No unrestricted callers here');
  if (viewer.kind === 'agent' && viewer.customerId && !(viewer.sessionId && (viewer.sessionExpiresAt ?? 0) > now)) {
    throw new AppError(ErrorCode.VERIFICATION_EXPIRED, 'The verification has expired: verify the caller again');
  }
  return viewer;
}

function checkViewer(header: string, secret: string): { viewer: Viewer; audience: string; expiresAt: number } | null {
  const parts = header.split('.');
  if (parts.length !== 3 || !parts[0] || !parts[1]) return null;
  if (!signedBy(`${parts[0]}.${parts[1]}`, parts[2], secret)) return null;
  try {
    const binding = bindingSchema.safeParse(JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')));
    if (!binding.success) return null;
    const { sid, sexp } = binding.data;
    const identity = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
    const parsed = viewerSchema.safeParse(identity.kind === 'agent' ? { ...identity, sessionId: sid, sessionExpiresAt: sexp } : identity);
    return parsed.success ? { viewer: Object.freeze(parsed.data), audience: binding.data.aud, expiresAt: binding.data.exp } : null;
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
      return serviceMay(viewer, '*');
    case 'operations':
      return false;
  }
}

/** The record if the viewer may read it, else null: someone else's data answers as if it did not exist. */
export function visible<T extends { customerId: string | null }>(viewer: Viewer, record: T | null | undefined): T | null {
  return record && (serviceMay(viewer, '*') || (record.customerId !== null && mayRead(viewer, record.customerId))) ? record : null;
}

/** Refuses a caller whose role may not do this at all; of services, only the unrestricted one may act as a role. */
export function requireRole(viewer: Viewer, roles: Viewer['kind'][], what: string): void {
  if (!roles.includes(viewer.kind) || (viewer.kind === 'service' && !serviceMay(viewer, '*'))) throw new AppError(ErrorCode.FORBIDDEN, `Only ${roles.join(' or ')} callers may ${what}`);
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
  if (viewer.kind === 'service' && !serviceMay(viewer, '*')) throw new AppError(ErrorCode.FORBIDDEN, 'This service does not act for a customer');
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

/** The fact an identify answer found the caller by: VerifyCaller then needs a fact of another class. */
export type IdentifiedBy = (typeof IDENTIFIED_BY)[number];

/** How long an identify answer's handle may be sent to VerifyCaller. */
export const IDENTIFICATION_TTL_MS = 10 * 60_000;

export interface Identification {
  customerId: string;
  by: IdentifiedBy;
  /** The channel of the agent that identified the caller; it verifies on the same one. */
  channel: Channel | null;
  expiresAt: number;
}

const identificationSchema = z.object({ c: z.string().min(1), by: z.enum(IDENTIFIED_BY), ch: z.enum(CHANNELS).nullable(), exp: z.number() });
// Signed apart from viewer headers: neither can stand in for the other.
const IDENTIFICATION_CONTEXT = 'ccg-identification';

/** The handle an identify answer carries: who was found, by which fact, on which channel, until when. */
export function signIdentification(found: Omit<Identification, 'expiresAt'>, secret: string, now = Date.now()): string {
  const payload = b64({ c: found.customerId, by: found.by, ch: found.channel, exp: now + IDENTIFICATION_TTL_MS });
  return `${payload}.${sign(`${IDENTIFICATION_CONTEXT}.${payload}`, secret)}`;
}

/** What a handle says, or null when it is forged, malformed or expired. */
export function verifyIdentification(token: string, secret: string, now = Date.now()): Identification | null {
  const dot = token.indexOf('.');
  if (dot < 1 || token.length > 1_000) return null;
  const payload = token.slice(0, dot);
  if (!signedBy(`${IDENTIFICATION_CONTEXT}.${payload}`, token.slice(dot + 1), secret)) return null;
  try {
    const parsed = identificationSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.exp <= now) return null;
    return { customerId: parsed.data.c, by: parsed.data.by, channel: parsed.data.ch, expiresAt: parsed.data.exp };
  } catch {
    return null;
  }
}
