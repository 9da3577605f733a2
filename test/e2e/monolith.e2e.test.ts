import { createMonolithServer } from '../../scripts/monolith';
import { monolithParts } from '../../scripts/monolith-server';
import { createLogger } from '../../subgraphs/shared/logger';
import { UNRESTRICTED_SERVICE } from '../../subgraphs/shared/auth';
import { startTestStack, type TestStack } from '../helpers/stack';

/** The benchmark's floor must answer exactly what the federated graph answers, or its figures mean nothing. */
describe('the monolith floor', () => {
  let t: TestStack;
  let monolith: ReturnType<typeof createMonolithServer>;
  beforeAll(async () => {
    t = await startTestStack({ customers: 20 });
    monolith = createMonolithServer(await monolithParts(t.stack.config, t.stack.database.db, t.stack.cache, createLogger('test', 'silent')));
    await monolith.apollo.start();
  });
  afterAll(async () => {
    await monolith?.apollo.stop();
    await t?.close();
  });

  // The floor checks no caller: it runs as the graph itself, for the customer at hand.
  const viaMonolith = async (query: string, variables: Record<string, unknown>, customerId?: string) => {
    const viewer = { kind: 'service' as const, id: UNRESTRICTED_SERVICE, customerId };
    const response = await monolith.apollo.executeOperation({ query, variables }, { contextValue: monolith.createContext(viewer) });
    return response.body.kind === 'single' ? response.body.singleResult : null;
  };

  it.each([0, 3, 10, 11, 16])('answers the per-turn context of customer %i exactly as the gateway does', async (index) => {
    const customer = t.data.customers[index];
    const chat = await t.verifiedAgent(index, 'CHAT');
    const variables = { locale: customer.locale };
    const { loadOperations } = await import('../../schema/operations');
    const query = loadOperations().CustomerContext.replace(/asOf/g, '');
    const federated = await t.query(query, variables, chat);
    const single = await viaMonolith(query, variables, customer.id);
    expect(federated.body.errors).toBeUndefined();
    expect(single?.errors).toBeUndefined();
    expect(single?.data).toEqual(federated.body.data);
  });

  it('answers the contact rate (a field that @requires another subgraph’s) as the gateway does', async () => {
    const { loadOperations } = await import('../../schema/operations');
    const variables = { from: new Date(Date.now() - 90 * 86_400_000).toISOString(), to: new Date().toISOString() };
    const federated = await t.query(loadOperations().ContactRate, variables, await t.asOperations());
    expect((await viaMonolith(loadOperations().ContactRate, variables))?.data).toEqual(federated.body.data);
  });
});
