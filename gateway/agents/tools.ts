import {
  getNullableType,
  GraphQLInputObjectType,
  GraphQLObjectType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { loadApiSchema, loadOperations } from '../../schema/operations';
import type { Role } from '../../subgraphs/shared/config';
import { operationId } from '../persisted';

/** A JSON Schema (the plain subset every MCP client and ajv read: types, enums, objects, arrays). */
export type JsonSchema = Record<string, unknown>;

/**
 * Who may call a root field, as the subgraphs enforce it (requireRole, actorFor, mayRead in
 * subgraphs/shared/auth.ts and the resolvers). `session`: an agent needs a verified caller first.
 * A tool takes the rule of its operation's root field; a field not named here is no tool.
 */
export const ROOT_FIELD_RULES: Readonly<Record<string, { roles: readonly Role[]; session?: true }>> = {
  identifyByOrderNumber: { roles: ['agent'] },
  identifyByPhone: { roles: ['agent'] },
  identifyByEmail: { roles: ['agent'] },
  verifyCaller: { roles: ['agent'] },
  verifiedCustomer: { roles: ['agent'], session: true },
  customer: { roles: ['customer', 'agent'], session: true },
  order: { roles: ['customer', 'agent'], session: true },
  returnPolicy: { roles: ['customer', 'agent', 'operations'] },
  contactRate: { roles: ['operations'] },
  escalate: { roles: ['customer', 'agent'], session: true },
  recordInteraction: { roles: ['customer', 'agent'], session: true },
  promiseToPay: { roles: ['customer', 'agent'], session: true },
  initiateReturn: { roles: ['customer', 'agent'], session: true },
  acceptHandoff: { roles: ['agent'], session: true },
  resolveHandoff: { roles: ['agent'], session: true },
};

/**
 * Arguments the server fills in from the caller and the session, wherever they occur in an
 * operation's variables: the model never sees nor sends them (a credential, or a fact the token
 * already states), so it cannot act for another customer or channel.
 */
export const HELD_ARGUMENTS = ['customerId', 'channel', 'fromChannel', 'agentId', 'identification', 'idempotencyKey'] as const;
export type HeldArgument = (typeof HELD_ARGUMENTS)[number];
/** Answer fields the model never sees: the identify answer's handle and the verified session's token. */
export const HELD_ANSWERS = ['identification', 'token'] as const;

export interface Tool {
  /** snake_case of the operation's name: `CustomerContext` → `customer_context`. */
  name: string;
  operationName: string;
  /** The persisted id the gateway knows the operation by (its file's SHA-256). */
  operationId: string;
  rootField: string;
  kind: 'query' | 'mutation';
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema;
  roles: readonly Role[];
  /** For an agent: only with a verified caller held in the session. */
  needsSession: boolean;
  /** Where the held arguments go in the variables: `['customerId']`, `['input', 'idempotencyKey']`. */
  heldPaths: readonly (readonly string[])[];
  annotations: { title: string; readOnlyHint: boolean; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
}

export const snakeCase = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** The `#` lines at the top of an operation file, as one paragraph per blank-line-free run. */
export function leadingComments(source: string): string {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('#')) break;
    lines.push(line.replace(/^#\s?/, ''));
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTime: { type: 'string', format: 'date-time' },
  JSONObject: { type: 'object' },
};

const withDescription = (schema: JsonSchema, description: string | null | undefined) => (description ? { ...schema, description } : schema);
const nullable = (schema: JsonSchema): JsonSchema =>
  schema.enum ? { ...schema, type: [schema.type, 'null'], enum: [...(schema.enum as unknown[]), null] } : { ...schema, type: [schema.type, 'null'] };

/** The JSON Schema of an input type: required where non-null, closed objects, enums by value. */
function inputSchemaOf(type: GraphQLInputType, held: ReadonlySet<string>): JsonSchema {
  if (isNonNullType(type)) return inputSchemaOf(type.ofType, held);
  if (isListType(type)) return { type: 'array', items: inputSchemaOf(type.ofType, held) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((v) => v.name) };
  if (isInputObjectType(type)) return objectOfFields(type, held);
  return SCALARS[type.name] ?? { type: 'string' };
}

function objectOfFields(type: GraphQLInputObjectType, held: ReadonlySet<string>): JsonSchema {
  const fields = Object.values(type.getFields()).filter((f) => !held.has(f.name));
  return withDescription(
    {
      type: 'object',
      properties: Object.fromEntries(fields.map((f) => [f.name, withDescription(inputSchemaOf(f.type, held), f.description)])),
      required: fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name),
      additionalProperties: false,
    },
    type.description,
  );
}

/** The JSON Schema of what a selection answers: null allowed exactly where the schema allows it. */
function outputOf(type: GraphQLOutputType, selection: SelectionSetNode | undefined, schema: GraphQLSchema): JsonSchema {
  if (isNonNullType(type)) {
    const t = type.ofType;
    if (isListType(t)) return { type: 'array', items: outputOf(t.ofType, selection, schema) };
    if (isEnumType(t)) return { type: 'string', enum: t.getValues().map((v) => v.name) };
    if (isScalarType(t)) return SCALARS[t.name] ?? { type: 'string' };
    return selectionOf(t as GraphQLObjectType, selection!, schema);
  }
  if (isListType(type)) return nullable({ type: 'array', items: outputOf(type.ofType, selection, schema) });
  if (isEnumType(type)) return nullable({ type: 'string', enum: type.getValues().map((v) => v.name) });
  if (isScalarType(type)) return nullable(SCALARS[type.name] ?? { type: 'string' });
  return nullable(selectionOf(type as GraphQLObjectType, selection!, schema));
}

function selectionOf(type: GraphQLObjectType, selection: SelectionSetNode, schema: GraphQLSchema): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const node of selection.selections) {
    if (node.kind !== 'Field' || node.name.value === '__typename') continue;
    const key = node.alias?.value ?? node.name.value;
    if ((HELD_ANSWERS as readonly string[]).includes(key)) continue;
    const field = type.getFields()[node.name.value];
    properties[key] = withDescription(outputOf(field.type, node.selectionSet, schema), field.description);
  }
  return { type: 'object', properties, required: Object.keys(properties) };
}

/** One tool from one named operation, checked against the API schema. */
export function toolOf(operationName: string, source: string, schema: GraphQLSchema): Tool | undefined {
  const operation = parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  const root = operation.operation === 'mutation' ? schema.getMutationType()! : schema.getQueryType()!;
  const rootNode = operation.selectionSet.selections.find((s) => s.kind === 'Field')!;
  if (rootNode.kind !== 'Field') return undefined;
  const rootField = rootNode.name.value;
  const rule = ROOT_FIELD_RULES[rootField];
  if (!rule || operation.operation === 'subscription') return undefined;
  const held = new Set<string>(HELD_ARGUMENTS);
  const variables = (operation.variableDefinitions ?? []).filter((v) => !held.has(v.variable.name.value));
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const v of variables) {
    const type = typeFromAST(schema, v.type as never) as GraphQLInputType;
    const name = v.variable.name.value;
    properties[name] = inputSchemaOf(type, held);
    if (name === 'locale') properties[name] = { ...properties[name], description: 'BCP 47 locale for texts, money and dates (en-US, de-DE, fr-FR, es-ES); the customer’s own when omitted' };
    if (isNonNullType(type) && !v.defaultValue) required.push(name);
  }
  const heldPaths: (string[])[] = [];
  for (const v of operation.variableDefinitions ?? []) {
    const name = v.variable.name.value;
    if (held.has(name)) heldPaths.push([name]);
    const type = getNullableType(typeFromAST(schema, v.type as never) as GraphQLInputType);
    if (isInputObjectType(type)) for (const field of Object.keys(type.getFields())) if (held.has(field)) heldPaths.push([name, field]);
  }
  const readOnly = operation.operation === 'query';
  return {
    name: snakeCase(operationName),
    operationName,
    operationId: operationId(source),
    rootField,
    kind: operation.operation,
    description: leadingComments(source) || `Runs the named operation ${operationName}.`,
    inputSchema: { type: 'object', properties, required, additionalProperties: false },
    outputSchema: { type: 'object', properties: { [rootNode.alias?.value ?? rootField]: outputOf(root.getFields()[rootField].type, rootNode.selectionSet, schema) }, required: [rootNode.alias?.value ?? rootField] },
    roles: rule.roles,
    needsSession: Boolean(rule.session),
    heldPaths: heldPaths as Tool['heldPaths'],
    annotations: {
      title: operationName.replace(/([a-z])([A-Z])/g, '$1 $2'),
      readOnlyHint: readOnly,
      // Writes add records (a handoff, a return, a promise) and never delete; each is idempotent by its key.
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
  };
}

/** Every named operation of schema/operations that a role rule covers, as a tool, by tool name. */
export function loadTools(schema: GraphQLSchema = loadApiSchema()): ReadonlyMap<string, Tool> {
  const tools = new Map<string, Tool>();
  for (const [name, source] of Object.entries(loadOperations())) {
    const tool = toolOf(name, source, schema);
    if (tool) tools.set(tool.name, tool);
  }
  return tools;
}

/** The tools a role may call, in name order. */
export const toolsFor = (tools: ReadonlyMap<string, Tool>, role: Role): Tool[] => [...tools.values()].filter((t) => t.roles.includes(role)).sort((a, b) => a.name.localeCompare(b.name));

