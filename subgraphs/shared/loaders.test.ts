import { makeExecutableSchema } from '@graphql-tools/schema';
import { graphql, type GraphQLResolveInfo } from 'graphql';
import { readAhead, selectsAny } from './loaders';

const typeDefs = /* GraphQL */ `
  type Query { customer(id: ID!): Customer }
  type Customer { id: ID! name: String! interactions(first: Int = 20): [String!]! tier: String! }
`;

/**
 * A customer whose own read waits until the test releases it: what its children started before
 * that point was read ahead, beside the parent, not after it.
 */
function setup() {
  const started: string[] = [];
  let release!: () => void;
  const parentRead = new Promise<void>((r) => (release = r));
  const interactions = (customer: { id: string }, args: { first: number }) => {
    if (args.first > 100) throw new Error('first must be at most 100');
    started.push(`interactions(${args.first}) of ${customer.id}`);
    return Array.from({ length: args.first }, (_, i) => `contact ${i + 1}`);
  };
  let selectsInteractions: boolean | undefined;
  const schema = makeExecutableSchema({
    typeDefs,
    resolvers: {
      Query: {
        customer: async (_: unknown, args: { id: string }, ctx: object, info: GraphQLResolveInfo) => {
          selectsInteractions = selectsAny(info, ['interactions']);
          readAhead(info, { id: args.id }, ctx, { interactions });
          started.push('customer');
          await parentRead;
          return { id: args.id, name: 'Ada', tier: 'GOLD' };
        },
      },
      Customer: { interactions },
    },
  });
  const run = async (source: string, variableValues?: Record<string, unknown>) => {
    const result = graphql({ schema, source, variableValues, contextValue: {} });
    await new Promise((r) => setImmediate(r));
    const before = [...started];
    release();
    return { before, result: await result, selectsInteractions };
  };
  return run;
}

describe('readAhead', () => {
  it('starts a selected child with its arguments before the parent has resolved', async () => {
    const { before, result } = await setup()('query ($n: Int) { customer(id: "c1") { name interactions(first: $n) } }', { n: 2 });
    expect(before).toEqual(['interactions(2) of c1', 'customer']);
    expect(result).toEqual({ data: { customer: { name: 'Ada', interactions: ['contact 1', 'contact 2'] } } });
  });

  it('finds children in fragments and applies argument defaults', async () => {
    const { before, selectsInteractions } = await setup()('{ customer(id: "c1") { ...F ... on Customer { tier } } } fragment F on Customer { interactions }');
    expect(before).toEqual(['interactions(20) of c1', 'customer']);
    expect(selectsInteractions).toBe(true);
  });

  it('starts nothing that is not selected', async () => {
    const { before, selectsInteractions } = await setup()('{ customer(id: "c1") { name tier } }');
    expect(before).toEqual(['customer']);
    expect(selectsInteractions).toBe(false);
  });

  it('leaves a child that fails ahead to fail again, answered, in its own resolution', async () => {
    const { before, result } = await setup()('{ customer(id: "c1") { name interactions(first: 500) } }');
    expect(before).toEqual(['customer']);
    expect(result.errors?.[0].message).toBe('first must be at most 100');
    expect(result.errors?.[0].path).toEqual(['customer', 'interactions']);
  });
});
