import type { Handler } from '../../subgraphs/shared/http';
import type { GatewayHandlerDeps } from '../handlers';
import { createCallerAuth } from '../auth';
import { createToolRunner } from './call';
import { createMcpHandlers } from './mcp';
import { createConversationStore } from './session';
import { loadTools } from './tools';
import { createVoiceHandlers } from './voice';

/** The AI agents' endpoints: /mcp (with its RFC 9728 metadata) and /tools/<platform>, over one tool runner. */
export function createAgentHandlers(deps: GatewayHandlerDeps): Record<string, Handler> {
  const { config, logger } = deps;
  const tools = loadTools();
  const store = createConversationStore({ redisUrl: config.redisUrl, namespace: config.cacheNamespace });
  const run = createToolRunner({ graphqlUrl: deps.graphqlUrl, store, logger });
  const authenticate = createCallerAuth(config.auth, config.gatewaySecret);
  return { ...createMcpHandlers({ config, tools, run, store, authenticate }), ...createVoiceHandlers({ config, tools, run, logger }) };
}
