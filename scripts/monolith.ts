import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import {
  execute,
  getNamedType,
  isObjectType,
  Kind,
  parse,
  printSchema,
  valueFromASTUntyped,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import { loadApiSchema } from '../schema/operations';
import type { Viewer } from '../subgraphs/shared/auth';
import { scalarResolvers } from '../subgraphs/shared/scalars';

/** One subgraph's part of the monolith: its SDL, its resolvers, and a fresh per-request context. */
export interface MonolithPart {
  name: string;
  typeDefs: DocumentNode;
  resolvers: Record<string, Record<string, any>>;
  createContext(viewer: Viewer): unknown;
}

interface MonolithContext {
  parts: Record<string, unknown>;
  /** Each entity as each subgraph resolved it, once per request. */
  resolved: WeakMap<object, Map<string, Promise<unknown>>>;
}

const ROOTS = new Set(['Query', 'Mutation']);

/**
 * The benchmark's floor: the public API schema served by ONE non-federated Apollo Server, with the
 * same resolvers and adapters as the four subgraphs. Where the gateway would fetch an entity from
 * another subgraph, this calls that subgraph's __resolveReference in process; a field that
 * @requires others gets them by running that selection on this same schema. No query planning, no
 * HTTP hop: what federation costs is the difference to this.
 */
export function createMonolithSchema(parts: MonolithPart[]): GraphQLSchema {
  const owner = new Map<string, MonolithPart>();
  const requires = new Map<string, string>();
  const keys = new Map<string, string[]>();
  for (const part of parts) {
    for (const def of part.typeDefs.definitions) {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const type = def.name.value;
      for (const directive of def.directives ?? []) {
        if (directive.name.value !== 'key' || keys.has(type)) continue;
        const fields = directive.arguments?.find((a) => a.name.value === 'fields');
        if (fields) keys.set(type, String(valueFromASTUntyped(fields.value)).split(/\s+/));
      }
      for (const field of def.fields ?? []) {
        const directives = field.directives ?? [];
        if (directives.some((d) => d.name.value === 'external')) continue;
        const id = `${type}.${field.name.value}`;
        if (!owner.has(id)) owner.set(id, part);
        const required = directives.find((d) => d.name.value === 'requires')?.arguments?.[0];
        if (required) requires.set(id, String(valueFromASTUntyped(required.value)));
      }
    }
  }

  const marks = new WeakMap<object, string>();
  const mark = (value: unknown, part: string) => {
    for (const v of Array.isArray(value) ? value : [value]) if (v && typeof v === 'object' && !marks.has(v)) marks.set(v, part);
  };

  let schema: GraphQLSchema;
  const requiredQueries = new Map<string, DocumentNode>();
  /** The selection a field @requires, read through a root field that takes the entity's keys. */
  async function fetchRequired(type: string, field: string, ref: Record<string, unknown>, ctx: MonolithContext) {
    const id = `${type}.${field}`;
    let document = requiredQueries.get(id);
    if (!document) {
      const keyFields = keys.get(type)!;
      const root = Object.values(schema.getQueryType()!.getFields()).find(
        (f) => getNamedType(f.type).name === type && f.args.length === keyFields.length && f.args.every((a) => keyFields.includes(a.name)),
      );
      if (!root) throw new Error(`no root field to read ${type} by ${keyFields.join(', ')}`);
      const vars = root.args.map((a) => `$${a.name}: ${a.type}`).join(', ');
      const args = root.args.map((a) => `${a.name}: $${a.name}`).join(', ');
      document = parse(`query (${vars}) { entity: ${root.name}(${args}) { ${requires.get(id)} } }`);
      requiredQueries.set(id, document);
    }
    const result = await execute({ schema, document, variableValues: ref, contextValue: ctx });
    if (result.errors?.length) throw result.errors[0];
    return (result.data as { entity: Record<string, unknown> }).entity;
  }

  /** The parent as `part` knows it: as is when `part` made it, else through its __resolveReference. */
  function asKnownBy(part: MonolithPart, type: string, field: string, parent: any, ctx: MonolithContext): Promise<unknown> | unknown {
    const needsRequired = requires.has(`${type}.${field}`);
    const resolveReference = part.resolvers[type]?.__resolveReference;
    if (!resolveReference || (marks.get(parent) === part.name && !needsRequired)) return parent;
    let byPart = ctx.resolved.get(parent);
    if (!byPart) ctx.resolved.set(parent, (byPart = new Map()));
    const memo = needsRequired ? `${part.name}:${field}` : part.name;
    let pending = byPart.get(memo);
    if (!pending) {
      const ref = Object.fromEntries((keys.get(type) ?? ['id']).map((k) => [k, parent[k] instanceof Date ? parent[k].toISOString() : parent[k]]));
      pending = (async () => {
        const extra = needsRequired ? await fetchRequired(type, field, ref, ctx) : {};
        const entity = await resolveReference({ __typename: type, ...ref, ...extra }, ctx.parts[part.name]);
        mark(entity, part.name);
        return entity;
      })();
      byPart.set(memo, pending);
    }
    return pending;
  }

  const api = loadApiSchema();
  const resolvers: Record<string, any> = { ...scalarResolvers };
  for (const type of Object.values(api.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields: Record<string, unknown> = {};
    for (const field of Object.keys(type.getFields())) {
      const part = owner.get(`${type.name}.${field}`);
      if (!part) throw new Error(`no subgraph resolves ${type.name}.${field}`);
      const resolve = part.resolvers[type.name]?.[field];
      const needsRequired = requires.has(`${type.name}.${field}`);
      const root = ROOTS.has(type.name);
      const finish = (value: unknown) => {
        if (value instanceof Promise) return value.then((v) => (mark(v, part.name), v));
        mark(value, part.name);
        return value;
      };
      // The common case stays synchronous, as graphql-js's default resolver is: a field of an
      // object its own subgraph produced. Only a hop to another subgraph's view costs a promise.
      fields[field] = (parent: any, args: unknown, ctx: MonolithContext, info: unknown) => {
        if (root || (marks.get(parent) === part.name && !needsRequired) || !part.resolvers[type.name]?.__resolveReference) {
          if (!root && parent == null) return null;
          return finish(resolve ? resolve(parent, args, ctx.parts[part.name], info) : parent[field]);
        }
        return Promise.resolve(asKnownBy(part, type.name, field, parent, ctx)).then((target: any) =>
          target == null ? null : finish(resolve ? resolve(target, args, ctx.parts[part.name], info) : target[field]),
        );
      };
    }
    resolvers[type.name] = fields;
  }
  schema = makeExecutableSchema({ typeDefs: printSchema(api), resolvers });
  return schema;
}

export function createMonolithServer(parts: MonolithPart[]) {
  // As in the subgraphs: no @cacheControl hints, which would wrap every field's resolver.
  const apollo = new ApolloServer<MonolithContext>({ schema: createMonolithSchema(parts), stopOnTerminationSignals: false, plugins: [ApolloServerPluginCacheControlDisabled()] });
  const createContext = (viewer: Viewer): MonolithContext => ({
    parts: Object.fromEntries(parts.map((p) => [p.name, p.createContext(viewer)])),
    resolved: new WeakMap(),
  });
  return { apollo, createContext };
}
