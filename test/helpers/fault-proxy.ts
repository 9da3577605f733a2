import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does with an API request it matches, as the stand-ins' `fault` does. */
export interface ProxyFault {
  /** Matched against the request's path (no query string). */
  path: string | RegExp;
  kind: '500' | '429' | 'hang';
  retryAfterSeconds?: number;
}

export interface FaultProxy {
  url: string;
  /** Applies to every matching request until removed. */
  fault(fault: ProxyFault): () => void;
  close(): Promise<void>;
}

/**
 * A proxy in front of a vendor emulator that has no faults of its own (the commercetools emulator):
 * the same `fault({ path, kind })` as the stand-ins. Token requests always pass, as a vendor's
 * auth server is not its API.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let faults: ProxyFault[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', target);
    const fault = url.pathname.startsWith('/oauth/') ? undefined : faults.find((f) => (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)));
    if (!fault) {
      const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      return void req.pipe(upstream);
    }
    req.resume();
    if (fault.kind === 'hang') return void held.add(res);
    const status = Number(fault.kind);
    // commercetools' error shape; the body is what a client must never see.
    const code = status === 429 ? 'TooManyRequests' : 'General';
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': String(fault.retryAfterSeconds ?? 1) } : {}) });
    res.end(JSON.stringify({ statusCode: status, message: 'injected: internal details', errors: [{ code, message: 'injected: internal details' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fault(fault) {
      faults.push(fault);
      return () => {
        faults = faults.filter((f) => f !== fault);
        held.forEach((res) => res.socket?.destroy());
        held.clear();
      };
    },
    close: async () => {
      held.forEach((res) => res.socket?.destroy());
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
