import fc from 'fast-check';
import { loadOperations } from '../../schema/operations';
import { startTestStack, type TestStack } from '../helpers/stack';

const OPERATIONS = Object.values(loadOperations());
const TOKENS = ['{', '}', '(', ')', '$id', ':', '...', 'fragment F on Customer', '@include(if: $x)', 'query', 'mutation', '__typename', '"', '#', '!', '[', ']', '=', 'null', '1e309', '\u0000', '\uffff'];

/** Documents a client could send by mistake or on purpose: garbage, named operations cut short or with tokens spliced in. */
const documentArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.tuple(fc.constantFrom(...OPERATIONS), fc.nat()).map(([op, cut]) => op.slice(0, cut % (op.length + 1))),
  fc.tuple(fc.constantFrom(...OPERATIONS), fc.array(fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)), { maxLength: 5 })).map(([op, edits]) =>
    edits.reduce((doc, [at, token]) => doc.slice(0, at % (doc.length + 1)) + token + doc.slice(at % (doc.length + 1)), op),
  ),
  fc.nat({ max: 60 }).map((depth) => `{ customer(id: "x") ${'{ orders { customer '.repeat(depth)}{ id }${' } }'.repeat(depth)} }`),
);
const variablesArb = fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.dictionary(fc.constantFrom('customerId', 'orderId', 'input', 'locale', 'from', 'email'), fc.jsonValue({ maxDepth: 3 })));
const bodyArb = fc.oneof(
  fc.record({ query: documentArb, variables: variablesArb, operationName: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) }).map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.record({ extensions: fc.record({ persistedQuery: fc.record({ version: fc.jsonValue(), sha256Hash: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), fc.jsonValue()) }) }) }).map((b) => JSON.stringify(b)),
);

/** Random and malformed documents, variables and bodies: every answer is a coded client error or data, never a 5xx, a crash or a hang. */
describe('the gateway under random input', () => {
  let t: TestStack;
  let headers: Record<string, string>;
  beforeAll(async () => {
    t = await startTestStack({ customers: 5 });
    headers = { 'content-type': 'application/json', ...(await t.asCustomer(t.data.customers[0].id)) };
  });
  afterAll(() => t?.close());

  it('answers each with a status below 500 and a JSON body, in time', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.boolean(), async (body, asGet) => {
        const url = asGet ? `${t.stack.url}?query=${encodeURIComponent(body)}` : t.stack.url;
        const response = await fetch(url, {
          method: asGet ? 'GET' : 'POST',
          headers: asGet ? { ...headers, 'apollo-require-preflight': 'true' } : headers,
          body: asGet ? undefined : body,
          signal: AbortSignal.timeout(5_000),
        });
        const text = await response.text();
        expect([body.slice(0, 200), response.status < 500]).toEqual([body.slice(0, 200), true]);
        expect(() => JSON.parse(text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
    const health = await fetch(new URL('/readyz', t.stack.url));
    expect(health.status).toBe(200);
  });
});
