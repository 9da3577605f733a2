import { loadConfig } from './config';
import { parseRedisUrl } from './redis';

describe('REDIS_URL', () => {
  it('names a single server, a cluster or a Sentinel-managed primary', () => {
    expect(parseRedisUrl('redis://cache:6379/2')).toEqual({ kind: 'single', url: 'redis://cache:6379/2' });
    expect(parseRedisUrl('rediss://user:pw@cache.example.com:6380')).toEqual({ kind: 'single', url: 'rediss://user:pw@cache.example.com:6380' });
    expect(parseRedisUrl('redis-cluster://a:7000,b:7001,c')).toEqual({
      kind: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }, { host: 'c', port: 6379 }], username: undefined, password: undefined, tls: false,
    });
    expect(parseRedisUrl('rediss-cluster://:s%40cret@a:7000')).toMatchObject({ kind: 'cluster', password: 's@cret', tls: true });
    expect(parseRedisUrl('redis-sentinel://s1:26379,s2/mymaster/3')).toEqual({
      kind: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], name: 'mymaster', db: 3, username: undefined, password: undefined, tls: false,
    });
  });

  it('refuses what names no topology, at start, with the variable and the forms', () => {
    for (const bad of ['redis://a:1,b:2', 'redis-sentinel://s1:26379', 'redis-cluster://a:7000/1', 'memcached://a:11211', 'redis-sentinel://s1/x/db']) {
      expect(() => parseRedisUrl(bad)).toThrow(/forms|path|database/);
      expect(() => loadConfig({ REDIS_URL: bad })).toThrow(/REDIS_URL/);
    }
    expect(loadConfig({ REDIS_URL: 'redis-cluster://a:7000,b:7001' }).redisUrl).toBe('redis-cluster://a:7000,b:7001');
  });
});
