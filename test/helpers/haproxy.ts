import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './process';

/** HAProxy in front of groups of replicas, and its per-server counters. */
export interface Proxy {
  /** Requests each server of each group has been sent so far ("orders/orders-1" → n). */
  served(): Promise<Record<string, number>>;
  /** What the health checks say of each server ("orders/orders-1" → "UP", "DOWN", …). */
  health(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/**
 * Starts `haproxy` (Debian's package; .ci/run installs it) balancing each group round-robin over its
 * replicas on the group's port (start it once they listen: its health checks' ephemeral ports could
 * otherwise take a port a replica has yet to bind), as a platform team would: health checks on /healthz mark a dead replica down within a
 * second, and a request that could not reach a replica, or got no answer from it, is sent to the
 * other one (the graph's writes carry idempotency keys, so a resent write is not applied twice).
 */
export async function startHaproxy(groups: Record<string, { name: string; port: number }[]>, ports: Record<string, number>): Promise<Proxy> {
  const names = Object.keys(groups);
  const [statsPort] = await freePorts(1);
  const config = [
    'global',
    '  maxconn 4096',
    'defaults',
    '  mode http',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-request 10s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response',
    '  option http-buffer-request',
    '  default-server inter 300ms fastinter 200ms downinter 500ms fall 2 rise 2',
    'listen stats',
    `  bind 127.0.0.1:${statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    ...names.flatMap((name) => [
      `listen ${name}`,
      `  bind 127.0.0.1:${ports[name]}`,
      '  balance roundrobin',
      '  option httpchk GET /healthz',
      '  http-check expect status 200',
      ...groups[name].map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`),
    ]),
    '',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  execFileSync('haproxy', ['-c', '-q', '-f', file]);
  const child = spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  // Columns: pxname, svname, …; stot (sessions in all) is the eighth, status the eighteenth.
  const servers = async () => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
    const rows = csv.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(','));
    return rows.filter(([, sv]) => sv !== 'FRONTEND' && sv !== 'BACKEND');
  };
  const served = async () => Object.fromEntries((await servers()).map((row) => [`${row[0]}/${row[1]}`, Number(row[7])]));
  const health = async () => Object.fromEntries((await servers()).map((row) => [`${row[0]}/${row[1]}`, row[17]]));
  for (let i = 0; ; i++) {
    try {
      await served();
      break;
    } catch (err) {
      if (i > 100 || child.exitCode !== null) throw new Error(`haproxy did not start: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    served,
    health,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
