import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { loadOperations } from '../schema/operations';
import { DEMO_AUTH_JWT_SECRET, loadConfig } from '../subgraphs/shared/config';
import type { Handler } from '../subgraphs/shared/http';
import { createLogger } from '../subgraphs/shared/logger';
import { createDeskHandlers } from './desk';
import { operationId } from './persisted';

const logger = createLogger('test', 'silent');
const PRODUCTION = { NODE_ENV: 'production', WEBHOOK_SECRET: 'w'.repeat(32), GATEWAY_SECRET: 'g'.repeat(32), AUTH_JWT_SECRET: 's'.repeat(32) };

/** The desk's handlers behind a real socket, matched as the gateway matches them (exact path, else the prefix). */
async function serve(handlers: Record<string, Handler>) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const handler = handlers[url.pathname] ?? (url.pathname.startsWith('/desk/') ? handlers['/desk/'] : undefined);
    if (!handler) return void res.writeHead(404).end();
    void handler(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { at: (path: string, init?: RequestInit) => fetch(base + path, init), close: () => new Promise((resolve) => server.close(resolve)) };
}

const signIn = (agentId: unknown, contentType = 'application/json') => ({ method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify({ agentId }) });

describe('the desk at /desk/', () => {
  it('is off in production unless DESK_ENABLED, and has no demo sign-in there', async () => {
    expect(createDeskHandlers(loadConfig(PRODUCTION), logger)).toEqual({});
    const desk = await serve(createDeskHandlers(loadConfig({ ...PRODUCTION, DESK_ENABLED: 'true' }), logger));
    try {
      expect((await desk.at('/desk/')).status).toBe(200);
      expect(((await (await desk.at('/desk/settings.json')).json()) as { demoSignIn: boolean }).demoSignIn).toBe(false);
      expect((await desk.at('/desk/demo-token', signIn('desk-1'))).status).toBe(404);
    } finally {
      await desk.close();
    }
  });

  it('signs a desk agent in with the demo secret only, as a HUMAN_DESK agent', async () => {
    const demo = await serve(createDeskHandlers(loadConfig({}), logger));
    const ownSecret = await serve(createDeskHandlers(loadConfig({ AUTH_JWT_SECRET: 's'.repeat(32) }), logger));
    try {
      const response = await demo.at('/desk/demo-token', signIn('desk-7'));
      expect(response.status).toBe(200);
      const { token } = (await response.json()) as { token: string };
      const { payload } = await jwtVerify(token, new TextEncoder().encode(DEMO_AUTH_JWT_SECRET), { issuer: 'customer-context-graph', audience: 'customer-context-graph' });
      expect(payload).toMatchObject({ sub: 'desk-7', role: 'agent', channel: 'HUMAN_DESK' });

      expect((await demo.at('/desk/demo-token', signIn('desk 7; drop'))).status).toBe(400);
      expect((await demo.at('/desk/demo-token', signIn('desk-7', 'text/plain'))).status).toBe(415);
      expect((await demo.at('/desk/demo-token')).status).toBe(405);
      // A secret of the deployment's own: tokens come from its identity provider, never from the desk.
      expect((await ownSecret.at('/desk/demo-token', signIn('desk-7'))).status).toBe(404);
    } finally {
      await demo.close();
      await ownSecret.close();
    }
  });

  it('serves only its own files, locked to its own origin, revalidated by ETag, with each operation’s persisted id', async () => {
    const desk = await serve(createDeskHandlers(loadConfig({}), logger));
    try {
      const page = await desk.at('/desk/');
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<script type="module" src="app.js"></script>');
      expect((await desk.at('/desk/', { headers: { 'if-none-match': page.headers.get('etag')! } })).status).toBe(304);
      expect((await desk.at('/desk/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      for (const path of ['/desk/tsconfig.json', '/desk/..%2Fpackage.json', '/desk/nothing.js']) expect([path, (await desk.at(path)).status]).toEqual([path, 404]);

      const settings = (await (await desk.at('/desk/settings.json')).json()) as { operations: Record<string, string>; texts: { channel: Record<string, Record<string, string>> } };
      expect(settings.operations.DeskContext).toBe(operationId(loadOperations().DeskContext));
      expect(Object.keys(settings.operations).sort()).toEqual(Object.keys(loadOperations()).sort());
      expect(settings.texts.channel.HUMAN_DESK.de).toBe('Kundenservice');
    } finally {
      await desk.close();
    }
  });
});
