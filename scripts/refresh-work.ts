/**
 * What keeping one caller's answer warm costs the backends: a verified voice agent takes a
 * CustomerContext turn every GAP_MS (3000) for RUN_MS (90000) with the entity TTLs of TTLS; prints
 * each turn's Age (a refresh resets it), the misses, and the reads per statement (outbox polls left out).
 *   node --import tsx scripts/refresh-work.ts
 * Needs the test PostgreSQL (TEST_DATABASE_URL).
 */
import { loadOperations } from '../schema/operations';
import { startTestStack } from '../test/helpers/stack';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gapMs = Number(process.env.GAP_MS ?? 3_000);
const runMs = Number(process.env.RUN_MS ?? 90_000);

async function main() {
  const t = await startTestStack({ customers: 10, env: { LOG_LEVEL: 'silent', CACHE_TTL_SECONDS: process.env.TTLS ?? 'default=30,LineItem=300,OrderLineItems=300,ReturnPolicy=300' } });
  try {
    const agent = await t.verifiedAgent(3);
    const body = JSON.stringify({ query: loadOperations().CustomerContext, variables: { locale: 'en-US' } });
    t.statements.length = 0;
    const started = Date.now();
    const ages: string[] = [];
    while (Date.now() - started < runMs) {
      const response = await fetch(t.stack.url, { method: 'POST', headers: { 'content-type': 'application/json', ...agent }, body });
      await response.text();
      ages.push(response.headers.get('age') ?? 'miss');
      await sleep(gapMs);
    }
    const reads = new Map<string, number>();
    for (const statement of t.statements) {
      if (!/^\s*select/i.test(statement) || /outbox/.test(statement)) continue;
      const kind = statement.replace(/\s+/g, ' ').slice(0, 90);
      reads.set(kind, (reads.get(kind) ?? 0) + 1);
    }
    console.log(`ages: ${ages.join(' ')}`);
    console.log(`misses: ${ages.filter((a) => a === 'miss').length - 1} after the first of ${ages.length} turns`);
    console.log([...reads].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${n} ${kind}`).join('\n'));
  } finally {
    await t.close();
  }
}

void main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
