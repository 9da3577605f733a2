import { parse, type OperationDefinitionNode } from 'graphql';
import { loadOperations } from '../schema/operations';
import { callerKeyOf, type Viewer } from '../subgraphs/shared/auth';
import { loadConfig } from '../subgraphs/shared/config';
import { createLogger } from '../subgraphs/shared/logger';
import { forwardedCaller } from './auth';
import { createGatewayServer, loadSupergraph } from './server';
import { sampleVariables } from './warm-up';

describe('planning the named operations at start-up', () => {
  it('leaves the first request of every named operation nothing to plan', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    const subgraphUrls = Object.fromEntries(Object.entries(config.subgraphs).map(([name, s]) => [name, s.url]));
    const { apollo, gateway, warmUp } = createGatewayServer({
      supergraphSdl: loadSupergraph(),
      subgraphUrls,
      logger: createLogger('test', 'silent'),
      gatewaySecret: config.gatewaySecret,
      resilience: config.resilience,
    });
    await apollo.start();
    try {
      // The planner @apollo/gateway builds plans with (each plan it does not find in its cache).
      const planner = (gateway as unknown as { queryPlanner: { buildQueryPlan: (...args: unknown[]) => unknown } }).queryPlanner;
      const plans = jest.spyOn(planner, 'buildQueryPlan');
      await warmUp();
      const operations = Object.entries(loadOperations());
      expect(plans).toHaveBeenCalledTimes(operations.length);
      plans.mockClear();

      const viewer: Viewer = { kind: 'service', id: 'test' };
      const schema = gateway.schema!;
      for (const [name, query] of operations) {
        const variables = sampleVariables(schema, parse(query).definitions[0] as OperationDefinitionNode);
        // Its deadline already passed: nothing leaves the gateway, the plan is all that is looked up.
        const contextValue = { fresh: false, viewer, viewerHeader: forwardedCaller(viewer, config.gatewaySecret, 'test', 1_000), callerKey: callerKeyOf(viewer), audit: [], deadline: 1, stale: [], answer: null };
        const { body } = await apollo.executeOperation({ query, operationName: name, variables }, { contextValue });
        // Past variable coercion, to the plan's first fetch, which finds no time left.
        const codes = body.kind === 'single' ? (body.singleResult.errors ?? []).map((e) => e.extensions?.code) : [];
        expect(codes.length).toBeGreaterThan(0);
        expect(codes.every((code) => code === 'BACKEND_TIMEOUT')).toBe(true);
      }
      expect(plans).not.toHaveBeenCalled();
    } finally {
      await apollo.stop();
    }
  });
});
