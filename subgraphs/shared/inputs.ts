import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { ErrorCode } from './errors';
import { findCardNumbers, findCardNumbersInTokens } from './pii';

/**
 * What an id (and an idempotency key) may look like: a bounded printable token. Ids are opaque, and
 * vendors bring their own shapes (commercetools UUIDs, Stripe `pi_…`), so this is a class, not the
 * demo data's `ord_000004_1`.
 */
export const ID_SHAPE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

/** The longest string any argument takes (each subgraph holds its fields to less). */
export const MAX_STRING_LENGTH = 4_000;

// C0 and C1 controls other than tab and line breaks, and UTF-16 halves without their pair.
const NOT_PRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** String inputs that are keys, not text: held to the id's shape. */
const TOKEN_FIELDS = new Set(['idempotencyKey']);

/** Free text a channel writes: a card number in it is redacted where it is stored, not refused. */
export const FREE_TEXT_FIELDS = new Set(['summary', 'failureReason', 'stepsTried', 'note', 'reason']);

/**
 * Strings that are not free text but may be a run of digits that passes Luhn by chance: a phone
 * number read out without its "+". They are lookup keys, never stored.
 */
const DIGIT_FIELDS = new Set(['phone']);

/** What is wrong with a value given as an id or key, or null. Never says the value. */
export function idProblem(value: string): string | null {
  if (!ID_SHAPE.test(value)) return 'is not an id: 1 to 128 letters, digits and _ . : - (starting with a letter or digit)';
  if (findCardNumbersInTokens(value).length || findCardNumbers(value).length) return 'holds a card number, which this graph never takes';
  return null;
}

/** What is wrong with a string argument, or null: control characters, length, a card number outside free text. */
export function textProblem(value: string, field: string): string | null {
  if (value.length > MAX_STRING_LENGTH) return `takes at most ${MAX_STRING_LENGTH} characters`;
  if (NOT_PRINTABLE.test(value)) return 'holds characters that are not printable';
  if (!FREE_TEXT_FIELDS.has(field) && !DIGIT_FIELDS.has(field) && findCardNumbers(value).length) {
    return 'holds a card number, which this graph never takes';
  }
  return null;
}

interface Problem {
  /** The argument or variable, with the input fields and list positions to the value (`input.lineItemIds[1]`). */
  argument: string;
  problem: string;
}

function scalarProblem(scalar: string, value: unknown, argument: string, field: string): Problem | null {
  if (scalar === 'ID' || (scalar === 'String' && TOKEN_FIELDS.has(field))) {
    // A value of another type is left to coercion, which refuses it.
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) return null;
    const problem = idProblem(String(value));
    return problem ? { argument, problem } : null;
  }
  if (scalar === 'String' && typeof value === 'string') {
    const problem = textProblem(value, field);
    return problem ? { argument, problem } : null;
  }
  return null;
}

/** The first problem in a variable's value, walked along its declared type (JSON as sent). */
function valueProblem(type: GraphQLInputType, value: unknown, argument: string, field: string): Problem | null {
  if (value == null) return null;
  if (isNonNullType(type)) return valueProblem(type.ofType, value, argument, field);
  if (isListType(type)) {
    if (!Array.isArray(value)) return valueProblem(type.ofType, value, argument, field);
    for (let i = 0; i < value.length; i++) {
      const problem = valueProblem(type.ofType, value[i], `${argument}[${i}]`, field);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    const fields = type.getFields();
    for (const [key, item] of Object.entries(value)) {
      // An unknown field is coercion's to refuse (without echoing it: see errors.ts).
      const problem = Object.hasOwn(fields, key) ? valueProblem(fields[key].type, item, `${argument}.${key}`, key) : null;
      if (problem) return problem;
    }
    return null;
  }
  return isScalarType(type) ? scalarProblem(type.name, value, argument, field) : null;
}

/** The same for a literal in the document; variables in it are checked with the variables. */
function literalProblem(type: GraphQLInputType, node: ValueNode, argument: string, field: string): Problem | null {
  if (isNonNullType(type)) return literalProblem(type.ofType, node, argument, field);
  if (isListType(type)) {
    if (node.kind !== Kind.LIST) return literalProblem(type.ofType, node, argument, field);
    for (let i = 0; i < node.values.length; i++) {
      const problem = literalProblem(type.ofType, node.values[i], `${argument}[${i}]`, field);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(type)) {
    if (node.kind !== Kind.OBJECT) return null;
    const fields = type.getFields();
    for (const item of node.fields) {
      const key = item.name.value;
      const problem = Object.hasOwn(fields, key) ? literalProblem(fields[key].type, item.value, `${argument}.${key}`, key) : null;
      if (problem) return problem;
    }
    return null;
  }
  if (!isScalarType(type)) return null;
  if (node.kind === Kind.STRING || node.kind === Kind.INT) return scalarProblem(type.name, node.kind === Kind.INT && type.name === 'ID' ? Number(node.value) : node.value, argument, field);
  return null;
}

// A document's literals are checked once: Apollo keeps one parsed document per query text.
const literalsChecked = new WeakMap<DocumentNode, Problem | null>();

function documentProblem(schema: GraphQLSchema, document: DocumentNode): Problem | null {
  if (literalsChecked.has(document)) return literalsChecked.get(document)!;
  const typeInfo = new TypeInfo(schema);
  let found: Problem | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type) as GraphQLInputType | undefined;
        const name = node.variable.name.value;
        if (!found && type && node.defaultValue) found = literalProblem(type, node.defaultValue, name, name);
        return false;
      },
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!found && argument) found = literalProblem(argument.type, node.value, node.name.value, node.name.value);
        return false;
      },
    }),
  );
  literalsChecked.set(document, found);
  return found;
}

function variablesProblem(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): Problem | null {
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const problem = type ? valueProblem(type, variables[name], name, name) : null;
    if (problem) return problem;
  }
  return null;
}

/**
 * Ids and strings are checked where they enter, before anything is read, stored, cached or echoed:
 * every ID argument and input field (literals and variables) has the id's shape and holds no card
 * number; every string is printable and bounded. A refusal is BAD_USER_INPUT naming the argument,
 * never its value. The gateway runs it on every request, and each subgraph on what it is sent.
 */
export const inputChecksPlugin = (): ApolloServerPlugin<any> => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ document, operation, schema, request }) {
        const problem = documentProblem(schema, document) ?? (operation ? variablesProblem(schema, operation, request.variables ?? {}) : null);
        if (!problem) return;
        throw new GraphQLError(`"${problem.argument}" ${problem.problem}`, {
          extensions: { code: ErrorCode.BAD_USER_INPUT, argument: problem.argument, http: { status: 400, headers: new HeaderMap() } },
        });
      },
    };
  },
});
