import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { GraphQLSchema } from 'graphql';
import { SUPERGRAPH_PATH } from './compose';

export const OPERATIONS_DIR = join(__dirname, 'operations');

/** The named operations clients send, by name (the file name): the contract with the channels. */
export function loadOperations(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(OPERATIONS_DIR)
      .filter((file) => file.endsWith('.graphql'))
      .sort()
      .map((file) => [file.replace(/\.graphql$/, ''), readFileSync(join(OPERATIONS_DIR, file), 'utf8')]),
  );
}

/** The schema clients see through the gateway: the supergraph without its internal (@inaccessible) parts. */
export function loadApiSchema(path = SUPERGRAPH_PATH): GraphQLSchema {
  return Supergraph.build(readFileSync(path, 'utf8')).apiSchema().toGraphQLJSSchema();
}
