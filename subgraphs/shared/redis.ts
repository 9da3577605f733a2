import Redis, { Cluster, type RedisOptions } from 'ioredis';

/** A connection to one Redis, a Sentinel-managed primary, or a Redis Cluster: the same commands. */
export type RedisClient = Redis | Cluster;

/** What REDIS_URL names, parsed once: `redis://` and `rediss://` go to ioredis as they are. */
export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: { host: string; port: number }[]; username?: string; password?: string; tls: boolean }
  | { kind: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; db: number; username?: string; password?: string; tls: boolean };

export const REDIS_URL_FORMS =
  'redis://[user:password@]host:port[/db], rediss://… (TLS), redis-cluster://[user:password@]host:port,host:port (rediss-cluster:// for TLS), redis-sentinel://[user:password@]host:port,host:port/primary-name[/db] (rediss-sentinel:// for TLS)';

const FORM = /^(rediss?)(-cluster|-sentinel)?:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(\/[^?#]*)?$/;

/** The deployment REDIS_URL names; throws (naming the forms) when it names none. */
export function parseRedisUrl(url: string): RedisTarget {
  const match = FORM.exec(url.trim());
  if (!match) throw new Error(`not a Redis URL; the forms are ${REDIS_URL_FORMS}`);
  const [, scheme, topology, user, pass, hostList, path = ''] = match;
  const tls = scheme === 'rediss';
  const username = user ? decodeURIComponent(user) : undefined;
  const password = pass ? decodeURIComponent(pass) : undefined;
  const hosts = hostList.split(',').map((entry) => {
    const at = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(entry.trim());
    if (!at) throw new Error(`"${entry}" is not host:port; the forms are ${REDIS_URL_FORMS}`);
    return { host: at[1].replace(/^\[|\]$/g, ''), port: Number(at[2] ?? (topology === '-sentinel' ? 26379 : 6379)) };
  });
  if (!topology) {
    if (hosts.length > 1) throw new Error(`several hosts need redis-cluster:// or redis-sentinel://; the forms are ${REDIS_URL_FORMS}`);
    return { kind: 'single', url };
  }
  if (topology === '-cluster') {
    // A cluster has one keyspace: a database number cannot be chosen.
    if (path.replace(/^\/$/, '')) throw new Error('redis-cluster:// takes no path (a cluster has only database 0)');
    return { kind: 'cluster', nodes: hosts, username, password, tls };
  }
  const [name, db = '0'] = path.split('/').filter(Boolean);
  if (!name || !/^\d+$/.test(db)) throw new Error(`redis-sentinel:// names the primary after the hosts (…/mymaster[/db]); the forms are ${REDIS_URL_FORMS}`);
  return { kind: 'sentinel', sentinels: hosts, name: decodeURIComponent(name), db: Number(db), username, password, tls };
}

/** How a service wants its connection to behave, whatever the topology. */
export type RedisConnectionOptions = Pick<
  RedisOptions,
  'lazyConnect' | 'enableOfflineQueue' | 'maxRetriesPerRequest' | 'commandTimeout' | 'connectTimeout' | 'disconnectTimeout' | 'retryStrategy' | 'enableAutoPipelining'
>;

/**
 * The one place a Redis client is made (cache, its subscriber, vendor calls, the gateway's rate
 * limits): REDIS_URL picks a single server, a Sentinel-managed primary or a cluster.
 *
 *   const redis = createRedis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: false });
 *   await redis.connect();
 */
export function createRedis(url: string, options: RedisConnectionOptions = {}): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'single') return new Redis(url, options);
  const tls = target.tls ? {} : undefined;
  if (target.kind === 'sentinel') {
    return new Redis({ ...options, sentinels: target.sentinels, name: target.name, db: target.db, username: target.username, password: target.password, tls, sentinelPassword: target.password, enableTLSForSentinelMode: target.tls });
  }
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy, maxRetriesPerRequest, ...perNode } = options;
  return new Cluster(target.nodes, {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining,
    clusterRetryStrategy: retryStrategy ? (attempt) => retryStrategy(attempt) : undefined,
    // A node that moved its slots away answers MOVED: follow it, a few times at most.
    maxRedirections: 4,
    slotsRefreshTimeout: options.connectTimeout ?? 2_000,
    redisOptions: { ...perNode, maxRetriesPerRequest, username: target.username, password: target.password, tls },
  });
}

/**
 * A cluster spreads keys over nodes, so a command may name only keys of one slot: on a cluster the
 * cache sends one command per key instead of MGET / DEL of many / MULTI, and ioredis pipelines them
 * per node, still one write each.
 */
export const isCluster = (client: RedisClient): client is Cluster => (client as { isCluster?: boolean }).isCluster === true;

/** For configuration checks: whether `url` is one of REDIS_URL_FORMS. */
export function isRedisUrl(url: string): boolean {
  try {
    parseRedisUrl(url);
    return true;
  } catch {
    return false;
  }
}
