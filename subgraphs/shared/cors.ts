import type http from 'node:http';

/** The request headers a browser client may send: what the gateway reads, plus W3C trace context. */
export const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'x-verified-session', 'x-deadline-ms', 'apollo-require-preflight', 'traceparent', 'x-request-id'] as const;
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'OPTIONS'] as const;
/** Response headers a browser script may read: when to retry, and the id to quote to support. */
const EXPOSED_HEADERS = ['retry-after', 'x-request-id'];
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for an allow-list of exact origins (CORS_ORIGINS). Sets the headers a listed origin gets and
 * answers preflights itself: returns true when it has answered the request. An origin not listed gets
 * no CORS header at all, so the browser keeps the answer from its script. No credentials: callers send
 * a bearer token, never a cookie.
 */
export function createCors(origins: readonly string[]): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    // Answers differ by Origin: a shared cache must not hand one origin's answer to another.
    res.setHeader('vary', 'Origin');
    const listed = origin !== undefined && allowed.has(origin);
    if (listed) res.setHeader('access-control-allow-origin', origin);
    if (req.method !== 'OPTIONS') {
      if (listed) res.setHeader('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
      return false;
    }
    const headers: Record<string, string> = { allow: CORS_ALLOWED_METHODS.join(', ') };
    if (listed) {
      headers['access-control-allow-methods'] = CORS_ALLOWED_METHODS.join(', ');
      headers['access-control-allow-headers'] = CORS_ALLOWED_HEADERS.join(', ');
      headers['access-control-max-age'] = String(PREFLIGHT_MAX_AGE_SECONDS);
    }
    res.writeHead(204, headers);
    res.end();
    return true;
  };
}
