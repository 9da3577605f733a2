import type { ApolloServer } from '@apollo/server';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { loadOperations } from '../schema/operations';
import { callerKeyOf, type Viewer } from '../subgraphs/shared/auth';
import type { Logger } from '../subgraphs/shared/logger';
import { forwardedCaller } from './auth';
import type { GatewayContext } from './server';

/** A value of the type that passes variable coercion, for planning only: nothing is fetched with it. */
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
  }
  switch (getNamedType(type).name) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTime':
      return new Date(0).toISOString();
    default:
      return 'warm-up';
  }
}

/** Values for an operation's required variables that pass coercion (ids and text are "warm-up"). */
export const sampleVariables = (schema: GraphQLSchema, operation: OperationDefinitionNode) =>
  Object.fromEntries(
    (operation.variableDefinitions ?? [])
      .filter((v) => v.type.kind === 'NonNullType' && !v.defaultValue)
      .map((v) => [v.variable.name.value, sample(typeFromAST(schema, v.type as never) as GraphQLInputType)]),
  );

/**
 * Runs every named operation of schema/operations once before the gateway takes traffic, so that
 * the first real request finds its parse, validation and query plan cached (a cold plan of
 * CustomerContext takes hundreds of milliseconds: more than a voice turn's whole deadline). The
 * request's deadline has passed before it starts, so no subgraph is called and nothing is cached.
 */
export async function planNamedOperations(apollo: ApolloServer<GatewayContext>, schema: GraphQLSchema, gatewaySecret: string, logger: Logger) {
  const started = performance.now();
  const viewer: Viewer = { kind: 'service', id: 'gateway-warm-up' };
  const operations = Object.entries(loadOperations());
  for (const [name, query] of operations) {
    const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    await apollo.executeOperation(
      { query, operationName: name, variables: sampleVariables(schema, operation) },
      // Deadline 1 ms after the epoch: every subgraph fetch fails at once, before any network.
      { contextValue: { fresh: false, viewer, viewerHeader: forwardedCaller(viewer, gatewaySecret, 'warm-up', 1_000), callerKey: callerKeyOf(viewer), audit: [], deadline: 1, stale: [], answer: null } },
    );
  }
  logger.info({ operations: operations.length, ms: Math.round(performance.now() - started) }, 'planned the named operations');
}
