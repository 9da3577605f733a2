import type { IncomingMessage } from 'node:http';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { z } from 'zod';
import { CHANNELS, createSessionVerifier, rememberUntilExpiry, SESSION_HEADER, signViewer, UNRESTRICTED_SERVICE, type Viewer } from '../subgraphs/shared/auth';
import type { Config, Role } from '../subgraphs/shared/config';
import { AppError, ErrorCode, HTTP_STATUS } from '../subgraphs/shared/errors';
import type { Logger } from '../subgraphs/shared/logger';
import type { RedisClient } from '../subgraphs/shared/redis';
import type { Revocations } from '../subgraphs/shared/revocation';

/** A refusal before execution, with its code's one status (HTTP_STATUS). */
const deny = (code: ErrorCode, message: string, headers: Record<string, string> = {}) =>
  new GraphQLError(message, { extensions: { code, http: { status: HTTP_STATUS[code], headers: new HeaderMap(Object.entries(headers)) } } });

/** What a caller's token must say: who (`sub`), as what (`role`), and for an agent its channel. */
const claimsSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('customer'), sub: z.string().min(1).max(100) }),
  z.object({ role: z.literal('agent'), sub: z.string().min(1).max(100), channel: z.enum(CHANNELS).exclude(['PORTAL']) }),
  z.object({ role: z.literal('operations'), sub: z.string().min(1).max(100) }),
]);
export type CallerClaims = z.input<typeof claimsSchema>;

/** Where the callers' rates are counted: Redis shared by every gateway replica, else this process. */
export interface RateLimitStore {
  client: RedisClient;
  /** The deployment's key prefix (CACHE_NAMESPACE). */
  namespace: string;
  logger: Logger;
}

/**
 * Counts each caller's requests against their role's rate. With a store, every gateway counts in
 * Redis, so N replicas allow the limit once; while Redis fails, each process counts alone (fails
 * open to per-process limits, logged). Rejects with a RateLimiterRes over the limit.
 */
export function createRateLimiter(rateLimits: Readonly<Record<Role, number>>, store?: RateLimitStore): (role: Role, caller: string) => Promise<RateLimiterRes> {
  const limiters = Object.fromEntries(
    Object.entries(rateLimits).map(([role, rps]) => {
      const window = { points: rps, duration: 1, keyPrefix: `${store?.namespace ?? 'ccg'}:caller-rate:${role}` };
      const inProcess = new RateLimiterMemory(window);
      // rejectIfRedisNotReady: while the connection is down, the insurance answers at once.
      const limiter: RateLimiterAbstract = store ? new RateLimiterRedis({ ...window, storeClient: store.client, rejectIfRedisNotReady: true, insuranceLimiter: inProcess }) : inProcess;
      return [role, limiter];
    }),
  ) as Record<Role, RateLimiterAbstract>;
  let shared = true;
  return (role, caller) => {
    if (store && (store.client.status === 'ready') !== shared) {
      shared = !shared;
      if (shared) store.logger.info('caller rate limits shared through Redis again');
      else store.logger.warn('Redis unavailable: caller rate limits counted in this process only');
    }
    return limiters[role].consume(caller);
  };
}

/**
 * Verifies callers at the gateway: the bearer JWT (HS256 secret or JWKS; issuer, audience and
 * expiry checked), an agent's verified session (X-Verified-Session), and the caller's rate.
 * Verified tokens are remembered until they expire, so a conversation's turns skip the crypto.
 */
export function createCallerAuth(auth: Readonly<Config['auth']>, gatewaySecret: string, revocations?: Revocations, rateStore?: RateLimitStore) {
  if (!auth.jwksUrl && !auth.jwtSecret && !auth.disabled) throw new Error('AUTH_JWKS_URL or AUTH_JWT_SECRET: required when NODE_ENV=production');
  const key: Uint8Array | JWTVerifyGetKey = auth.jwksUrl ? createRemoteJWKSet(new URL(auth.jwksUrl)) : new TextEncoder().encode(auth.jwtSecret);
  const verifyCaller = rememberUntilExpiry(verifyToken, (caller) => caller.expiresAt);
  const sessionOf = createSessionVerifier(gatewaySecret);
  const consume = createRateLimiter(auth.rateLimits, rateStore);

  async function verifyToken(token: string): Promise<{ viewer: Viewer; expiresAt: number }> {
    let payload: unknown;
    let exp: number;
    try {
      const result = await jwtVerify(token, key as Uint8Array, {
        issuer: auth.issuer,
        audience: auth.audience,
        algorithms: auth.jwksUrl ? ['RS256', 'ES256', 'PS256', 'EdDSA'] : ['HS256'],
        requiredClaims: ['exp', 'sub'],
      });
      payload = result.payload;
      exp = result.payload.exp! * 1000;
    } catch (err) {
      const expired = err instanceof joseErrors.JWTExpired;
      throw deny(ErrorCode.UNAUTHENTICATED, expired ? 'The token has expired' : 'The token is not valid here', { 'www-authenticate': 'Bearer' });
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw deny(ErrorCode.FORBIDDEN, 'The token names no role this graph knows (customer, agent, operations)');
    const c = claims.data;
    const viewer: Viewer = c.role === 'agent' ? { kind: 'agent', id: c.sub, channel: c.channel } : { kind: c.role, id: c.sub };
    return { viewer, expiresAt: exp };
  }

  async function withSession(viewer: Viewer, token: string | undefined): Promise<Viewer> {
    if (!token) return viewer;
    if (viewer.kind !== 'agent') throw deny(ErrorCode.FORBIDDEN, 'Only agents send a verified session');
    let session;
    try {
      session = await sessionOf(token);
    } catch (err) {
      throw deny((err as AppError).code, (err as AppError).message);
    }
    if (session.channel !== viewer.channel) throw deny(ErrorCode.FORBIDDEN, `This session was verified on ${session.channel}, not ${viewer.channel}`);
    // Erasure ends the customer's sessions at once, though their tokens have not expired.
    if (revocations?.isRevoked(session.customerId)) throw deny(ErrorCode.VERIFICATION_REQUIRED, 'This session has ended: verify the caller again');
    return { ...viewer, customerId: session.customerId, sessionId: session.sessionId, sessionExpiresAt: session.expiresAt.getTime() };
  }

  async function limit(viewer: Viewer): Promise<void> {
    if (viewer.kind === 'service') return;
    try {
      await consume(viewer.kind, viewer.id);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      const retryAfter = String(Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
      throw deny(ErrorCode.RATE_LIMITED, `Too many requests for this caller; retry after ${retryAfter} s`, { 'retry-after': retryAfter });
    }
  }

  /** The viewer a request stands for, or a coded 401/403/429 error. */
  return async function authenticate(req: IncomingMessage): Promise<Viewer> {
    const sessionToken = req.headers[SESSION_HEADER] as string | undefined;
    if (auth.disabled) {
      // Benchmark only: the graph trusts the request, and a session still names its customer.
      const session = sessionToken ? await sessionOf(sessionToken).catch(() => undefined) : undefined;
      return { kind: 'service', id: UNRESTRICTED_SERVICE, customerId: session?.customerId };
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) throw deny(ErrorCode.UNAUTHENTICATED, 'Send a bearer token (Authorization: Bearer <jwt>)', { 'www-authenticate': 'Bearer' });
    const viewer = await withSession((await verifyCaller(bearer)).viewer, sessionToken);
    await limit(viewer);
    return viewer;
  };
}

/**
 * The forwarded caller of one request: its header for a subgraph, signed on first use (one HMAC per
 * request and subgraph) and signed again once half its life is gone (a background refresh reuses
 * the request's context later).
 */
export function forwardedCaller(viewer: Viewer, secret: string, requestId: string, ttlMs: number): (audience: string) => string {
  const signed = new Map<string, { header: string; renewAt: number }>();
  return (audience) => {
    const now = Date.now();
    const known = signed.get(audience);
    if (known && known.renewAt > now) return known.header;
    const header = signViewer(viewer, secret, { audience, requestId, ttlMs, now });
    signed.set(audience, { header, renewAt: now + ttlMs / 2 });
    return header;
  };
}

/**
 * A demo token for one caller, signed with the embedded default's secret (see `npm run token`).
 * Real deployments get tokens from their identity provider.
 */
export async function mintToken(
  claims: CallerClaims,
  auth: Pick<Config['auth'], 'jwtSecret' | 'issuer' | 'audience'>,
  expiresIn: string | number = '8h',
): Promise<string> {
  if (!auth.jwtSecret) throw new Error('Minting needs AUTH_JWT_SECRET (with AUTH_JWKS_URL, tokens come from the identity provider)');
  const { sub, ...rest } = claimsSchema.parse(claims);
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(auth.jwtSecret));
}
