/**
 * CPU per warm whole-answer hit at the gateway against a plain node:http server answering the same
 * bytes (issue #21's "≤ 4× the plain-HTTP limit"). One process runs the stack; the load comes from a
 * child process, so process.cpuUsage() counts the server side only (gateway, subgraphs, plain server).
 *   node --import tsx scripts/hit-cpu.ts [requests=3000] [connections=8] [agent|customer]
 * `agent`: a verified voice agent's CustomerContext (audited); `customer`: the customer's own MyProfile (not audited).
 * Needs the test PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { operationId } from '../gateway/persisted';
import { loadOperations } from '../schema/operations';
import { startTestStack } from '../test/helpers/stack';

const requests = Number(process.argv[2] ?? 3000);
const connections = Number(process.argv[3] ?? 8);
const as = process.argv[4] === 'customer' ? 'customer' : 'agent';

/** Sends `requests` identical POSTs over `connections` keep-alive connections from a child process. */
function load(url: string, headers: Record<string, string>, body: string): Promise<{ statuses: Record<number, number> }> {
  const script = `
    const { Pool } = require('undici');
    const [url, headers, body, requests, connections] = JSON.parse(process.argv[1]);
    const pool = new Pool(new URL(url).origin, { connections });
    const statuses = {};
    let left = requests;
    const worker = async () => { while (left-- > 0) { const r = await pool.request({ path: new URL(url).pathname, method: 'POST', headers, body }); await r.body.text(); statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1; } };
    Promise.all(Array.from({ length: connections }, worker)).then(() => { console.log(JSON.stringify({ statuses })); return pool.close(); });
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, JSON.stringify([url, headers, body, requests, connections])], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load exited ${code}`))));
  });
}

async function cpuPerRequest(url: string, headers: Record<string, string>, body: string) {
  await load(url, headers, body).then(() => undefined); // warm-up: JIT, connections
  const before = process.cpuUsage();
  const started = performance.now();
  const { statuses } = await load(url, headers, body);
  const used = process.cpuUsage(before);
  const seconds = (performance.now() - started) / 1000;
  return { cpuMsPerRequest: (used.user + used.system) / 1000 / requests, requestsPerSecond: Math.round(requests / seconds), statuses };
}

async function main() {
  const t = await startTestStack({ customers: 20, redis: true, env: { LOG_LEVEL: 'silent' } });
  try {
    const customer = t.data.customers[3];
    const [name, caller, variables] =
      as === 'agent' ? ['CustomerContext', await t.verifiedAgent(3), { locale: 'en-US' }] : ['MyProfile', await t.asCustomer(customer.id), { customerId: customer.id, locale: 'en-GB' }];
    const source = loadOperations()[name as string];
    const headers = { 'content-type': 'application/json', ...(caller as Record<string, string>) };
    const body = JSON.stringify({ operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(source) } } });
    const first = await fetch(t.stack.url, { method: 'POST', headers, body });
    const bytes = await first.text();
    if (first.status !== 200 || bytes.includes('"errors"')) throw new Error(`${name} failed: ${bytes.slice(0, 300)}`);
    const hit = await fetch(t.stack.url, { method: 'POST', headers, body });
    const hitBytes = await hit.text();
    console.log('hit headers', Object.fromEntries(hit.headers), 'same bytes', hitBytes === bytes);
    const plain = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(bytes) }).end(bytes));
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}/graphql`;
    const limit = await cpuPerRequest(plainUrl, headers, body);
    const graph = await cpuPerRequest(t.stack.url, headers, body);
    plain.close();
    console.log(JSON.stringify({ operation: name, requests, connections, plain: limit, warmHit: graph, ratio: +(graph.cpuMsPerRequest / limit.cpuMsPerRequest).toFixed(2) }, null, 1));
  } finally {
    await t.close();
  }
}

void main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
