import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from './process';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Real Redis servers a test starts for itself, and the REDIS_URL that names them. */
export interface RedisTopology {
  url: string;
  ports: number[];
  /** SIGKILLs one server (by port) and resolves when it is gone. */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args])).stdout.trim();

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function servers(dir: string) {
  const children = new Map<number, ChildProcess>();
  const start = (port: number, args: string[]) => {
    const child = spawn('redis-server', args, { cwd: dir, stdio: 'ignore' });
    children.set(port, child);
    return until(`redis-server on ${port}`, async () => (await cli(port, 'ping')) === 'PONG');
  };
  const kill = async (port: number) => {
    const child = children.get(port);
    if (!child || child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  };
  const stop = async () => {
    await Promise.all([...children.keys()].map(kill));
    rmSync(dir, { recursive: true, force: true });
  };
  return { start, kill, stop };
}

const common = (port: number) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];

/** Three primaries with `--cluster-enabled yes`, joined by `redis-cli --cluster create`: every slot covered. */
export async function startRedisCluster(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const ports = await freePorts(3);
  const group = servers(dir);
  try {
    await Promise.all(ports.map((port) => group.start(port, [...common(port), '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'])));
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await until('cluster state ok', async () => (await Promise.all(ports.map((p) => cli(p, 'cluster', 'info')))).every((info) => /cluster_state:ok/.test(info)));
  } catch (err) {
    await group.stop();
    throw err;
  }
  return { url: `redis-cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports, kill: group.kill, stop: group.stop };
}

/** One primary and one Sentinel (`redis-server --sentinel`, generated conf) monitoring it as `primary`. */
export async function startRedisSentinel(): Promise<RedisTopology> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-sentinel-'));
  const [primary, sentinel] = await freePorts(2);
  const group = servers(dir);
  try {
    await group.start(primary, common(primary));
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, [`port ${sentinel}`, 'bind 127.0.0.1', `sentinel monitor primary 127.0.0.1 ${primary} 1`, 'sentinel down-after-milliseconds primary 2000', ''].join('\n'));
    await group.start(sentinel, [conf, '--sentinel']);
    await until('sentinel knows the primary', async () => (await cli(sentinel, 'sentinel', 'get-master-addr-by-name', 'primary')).includes(String(primary)));
  } catch (err) {
    await group.stop();
    throw err;
  }
  return { url: `redis-sentinel://127.0.0.1:${sentinel}/primary`, ports: [primary, sentinel], kill: group.kill, stop: group.stop };
}
