import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENV_VARIABLES, loadConfig } from '../subgraphs/shared/config';
import { ErrorCode, HTTP_STATUS } from '../subgraphs/shared/errors';

const ROOT = join(__dirname, '..');
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { command?: string[]; environment?: Record<string, string>; ports?: string[]; image?: string }>;
};
const ours = Object.entries(compose.services).filter(([, s]) => !s.image);
const defaults = loadConfig({});

/** docker-compose.yml cannot be run here (no Docker engine), so it is held to the code by these checks. */
describe('docker-compose.yml', () => {
  it('runs the gateway and the four subgraphs, each from an entry point that exists', () => {
    expect(ours.map(([name]) => name).sort()).toEqual(['customers', 'gateway', 'logistics', 'orders', 'payments']);
    for (const [, service] of ours) expect(existsSync(join(ROOT, service.command!.at(-1)!))).toBe(true);
  });

  it('sets only variables the code reads, with values the code accepts', () => {
    for (const [name, service] of ours) {
      for (const key of Object.keys(service.environment ?? {})) expect([name, ENV_VARIABLES.includes(key as never)]).toEqual([name, true]);
      expect(() => loadConfig(service.environment)).not.toThrow();
    }
  });

  it('gives each subgraph the default port of the code, and the gateway and every subgraph their URLs', () => {
    const gateway = loadConfig(compose.services.gateway.environment);
    const names = ['orders', 'customers', 'payments', 'logistics'] as const;
    for (const name of names) {
      const own = loadConfig(compose.services[name].environment).subgraphs[name];
      expect(own.port).toBe(defaults.subgraphs[name].port);
      expect(gateway.subgraphs[name].url).toBe(`http://${name}:${own.port}/graphql`);
      // Subgraphs call each other (the return saga, erasure, the CRM's reference checks): never their own loopback.
      for (const caller of names) expect([caller, loadConfig(compose.services[caller].environment).subgraphs[name].url]).toEqual([caller, gateway.subgraphs[name].url]);
    }
    expect(compose.services.gateway.ports).toEqual([`${defaults.gatewayPort}:${gateway.gatewayPort}`]);
  });

  it('points the subgraphs at the compose file’s own PostgreSQL and Redis', () => {
    const pg = compose.services.postgres.environment!;
    for (const name of ['orders', 'customers', 'payments', 'logistics']) {
      const env = compose.services[name].environment!;
      const url = new URL(env.DATABASE_URL);
      expect([url.hostname, url.password, url.pathname.slice(1)]).toEqual(['postgres', pg.POSTGRES_PASSWORD, pg.POSTGRES_DB]);
      expect(new URL(env.REDIS_URL).hostname).toBe('redis');
    }
  });
});

describe('the Dockerfile', () => {
  it('copies folders that exist', () => {
    const copies = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^COPY (.+) \S+$/gm)!;
    for (const line of copies) for (const path of line.slice(5).split(' ').slice(0, -1)) expect(existsSync(join(ROOT, path))).toBe(true);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('gives every error code its one HTTP status, as HTTP_STATUS does', () => {
    const documented = Object.fromEntries([...readme.matchAll(/\| `([A-Z_]+)` \| (\d{3}) \|/g)].map((m) => [m[1], Number(m[2])]));
    expect(documented).toEqual({ ...HTTP_STATUS });
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ErrorCode).sort());
  });

  it('documents every configuration variable', () => {
    expect(ENV_VARIABLES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('shows the first query exactly as schema/operations/FirstLook.graphql has it', () => {
    const operation = readFileSync(join(ROOT, 'schema/operations/FirstLook.graphql'), 'utf8').split('\n').filter((l) => !l.startsWith('#')).join('\n').trim();
    expect(readme).toContain(operation);
  });

  it('documents every npm script', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts);
    expect(scripts.filter((name) => !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`))).toEqual([]);
  });
});
