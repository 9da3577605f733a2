import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import { extname, join } from 'node:path';
import { z } from 'zod';
import { loadOperations } from '../schema/operations';
import { DEMO_AUTH_JWT_SECRET, type Config } from '../subgraphs/shared/config';
import type { Handler } from '../subgraphs/shared/http';
import { CATALOG } from '../subgraphs/shared/i18n';
import type { Logger } from '../subgraphs/shared/logger';
import { mintToken } from './auth';
import { operationId } from './persisted';

/** The desk's source: plain ES modules the browser loads as they are, so there is nothing to build. */
export const DESK_DIR = join(__dirname, '..', 'desk');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

// The page runs only its own scripts and talks only to its own gateway.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const asset = (body: Buffer, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

/** The desk files, read once: a fresh clone serves them as committed. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const file of readdirSync(DESK_DIR)) {
    const type = TYPES[extname(file)];
    if (type) assets.set(file, asset(readFileSync(join(DESK_DIR, file)), type));
  }
  return assets;
}

/**
 * What the page needs to know about this gateway: the named operations' persisted ids (it sends
 * those, never query text, like every other client), the status texts the graph speaks in its
 * four languages (one catalog, subgraphs/shared/i18n.ts), which facts may verify a caller after
 * each way of finding them (VERIFICATION_METHODS), and whether the demo sign-in exists.
 */
function deskSettings(demoSignIn: boolean, verificationMethods: Config['verification']['methodsAfter']) {
  const operations = Object.fromEntries(Object.entries(loadOperations()).map(([name, source]) => [name, operationId(source)]));
  const { channel, intent, outcome, loyaltyTier } = CATALOG;
  return { operations, texts: { channel, intent, outcome, loyaltyTier }, demoSignIn, verificationMethods };
}

const demoTokenRequest = z.object({ agentId: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'an agent id is 1-64 letters, digits or _ . : -') });

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string>, head = false) {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(head ? undefined : body);
}

const sendJson = (res: http.ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...PAGE_HEADERS });

function readSmallBody(req: http.IncomingMessage, limit = 1_024): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
    // A client gone before its body ended is answered nothing, never left pending.
    req.on('close', () => resolve(undefined));
  });
}

/**
 * The agent desk (issue #20) at /desk/: its page and scripts, its settings, and on the embedded
 * demo only a sign-in that mints a HUMAN_DESK agent token. Nothing here when DESK_ENABLED is off.
 */
export function createDeskHandlers(config: Pick<Config, 'deskEnabled' | 'nodeEnv' | 'auth' | 'verification'>, logger: Logger): Record<string, Handler> {
  if (!config.deskEnabled) return {};
  // Only where tokens are signed with the public demo secret anyway: minting one adds nothing an
  // outsider could not do with `npm run token`. Production takes the brand's identity provider's token.
  const demoSignIn = config.nodeEnv !== 'production' && config.auth.jwtSecret === DEMO_AUTH_JWT_SECRET;
  const assets = loadAssets();
  const settings = Buffer.from(JSON.stringify(deskSettings(demoSignIn, config.verification.methodsAfter)));
  assets.set('settings.json', asset(settings, 'application/json; charset=utf-8'));

  const page: Handler = (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '', { allow: 'GET, HEAD' });
    const file = url.pathname === '/desk/' ? 'index.html' : url.pathname.slice('/desk/'.length);
    const found = assets.get(file);
    if (!found) return send(res, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
    // Revalidated on every load (a 304 is a few bytes), so a new gateway's desk is never an old one.
    const headers = { 'content-type': found.type, 'cache-control': 'no-cache', etag: found.etag, ...PAGE_HEADERS };
    if (req.headers['if-none-match'] === found.etag) return send(res, 304, '', headers);
    send(res, 200, found.body, headers, req.method === 'HEAD');
  };

  const demoToken: Handler = async (req, res) => {
    if (!demoSignIn) return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'Sign in with your identity provider’s token' } });
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'BAD_REQUEST', message: 'POST only' } });
    // JSON only: a form on another site cannot send it without the browser asking first (CORS preflight).
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, { error: { code: 'BAD_REQUEST', message: 'Content-Type must be application/json' } });
    }
    const raw = await readSmallBody(req);
    let parsed: z.ZodSafeParseResult<z.infer<typeof demoTokenRequest>> | undefined;
    try {
      parsed = raw === undefined ? undefined : demoTokenRequest.safeParse(JSON.parse(raw));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) return sendJson(res, 400, { error: { code: 'BAD_USER_INPUT', message: parsed?.error.issues[0]?.message ?? 'expected {"agentId": "…"}' } });
    const token = await mintToken({ role: 'agent', sub: parsed.data.agentId, channel: 'HUMAN_DESK' }, config.auth);
    logger.info({ agentId: parsed.data.agentId }, 'desk: demo sign-in');
    sendJson(res, 200, { token, agentId: parsed.data.agentId, channel: 'HUMAN_DESK' });
  };

  return {
    '/desk': (_req, res) => send(res, 308, '', { location: '/desk/' }),
    '/desk/': page,
    '/desk/demo-token': demoToken,
  };
}
