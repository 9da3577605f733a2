import { TURN_HEADER } from '../subgraphs/shared/auth';
import { bufferedResponse, type SubgraphFetcher } from './fetcher';
import { createReadAhead } from './read-ahead';

/** A subgraph that records what it was sent and answers each body with its own echo. */
function subgraphs() {
  const sent: { url: string; body: string; headers: Record<string, string> }[] = [];
  const fetch: SubgraphFetcher = async (url, init) => {
    sent.push({ url, body: init.body ?? '', headers: init.headers ?? {} });
    return bufferedResponse(url, 200, JSON.stringify({ data: { echo: init.body } }));
  };
  return { sent, fetch };
}

const ORDERS = 'http://orders/graphql';
const CUSTOMERS = 'http://customers/graphql';
const root = JSON.stringify({ query: '{verifiedCustomer{id firstName}}', variables: {} });
const entity = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{activeOrders{id}}}}', variables: { representations: [{ __typename: 'Customer', id, ...extra }] } });

/** One turn as the plan runs it: the root fetch, then the entity fetch keyed by the customer it answered. */
async function turn(readAhead: ReturnType<typeof createReadAhead>, fetch: SubgraphFetcher, customerId: string, second = entity(customerId)) {
  const t = readAhead.begin('CustomerContext:{}', customerId, () => ({ [TURN_HEADER]: 'ahead', 'x-ccg-viewer': `signed-for-${customerId}` }));
  const headers = { [TURN_HEADER]: t.id };
  await fetch(CUSTOMERS, { headers, body: root });
  const answer = await fetch(ORDERS, { headers, body: second });
  return { t, answer: (await answer.json()) as { data: { echo: string } } };
}

describe('fetches sent ahead of the plan', () => {
  it('sends what the last complete turn fetched with only its customer as key, at the first fetch of the next, and answers the plan from it', async () => {
    const { sent, fetch: backend } = subgraphs();
    const readAhead = createReadAhead();
    const fetch = readAhead.wrap(backend);
    const first = await turn(readAhead, fetch, 'c-1');
    readAhead.end(first.t, true);
    expect(sent.map((s) => s.url)).toEqual([CUSTOMERS, ORDERS]);

    sent.length = 0;
    const second = await turn(readAhead, fetch, 'c-2');
    // The orders fetch left with the root one, as the other customer's, signed for that turn.
    expect(sent.map((s) => [s.url, s.body])).toEqual([
      [CUSTOMERS, root],
      [ORDERS, entity('c-2')],
    ]);
    expect(sent[1].headers['x-ccg-viewer']).toBe('signed-for-c-2');
    // The plan's own fetch, the same bytes, was answered by it: not sent twice.
    expect(second.answer.data.echo).toBe(entity('c-2'));
    readAhead.end(second.t, true);
  });

  it('answers a plan that asks differently by its own fetch, and drops what it sent ahead', async () => {
    const { sent, fetch: backend } = subgraphs();
    const readAhead = createReadAhead();
    const fetch = readAhead.wrap(backend);
    readAhead.end((await turn(readAhead, fetch, 'c-1')).t, true);
    sent.length = 0;
    const other = JSON.stringify({ query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{returns{id}}}}', variables: { representations: [{ __typename: 'Customer', id: 'c-2' }] } });
    const { t, answer } = await turn(readAhead, fetch, 'c-2', other);
    expect(answer.data.echo).toBe(other);
    expect(sent.map((s) => s.body)).toEqual([root, entity('c-2'), other]);
    readAhead.end(t, true);
  });

  it('learns nothing from a representation carrying more than the customer key (what @requires adds), nor from a failed turn', async () => {
    const { sent, fetch: backend } = subgraphs();
    const readAhead = createReadAhead();
    const fetch = readAhead.wrap(backend);
    readAhead.end((await turn(readAhead, fetch, 'c-1', entity('c-1', { activeOrders: [] }))).t, true);
    sent.length = 0;
    readAhead.end((await turn(readAhead, fetch, 'c-2')).t, false);
    expect(sent.map((s) => s.url)).toEqual([CUSTOMERS, ORDERS]);
    sent.length = 0;
    readAhead.end((await turn(readAhead, fetch, 'c-3')).t, true);
    expect(sent.map((s) => s.url)).toEqual([CUSTOMERS, ORDERS]);
  });

  it('leaves fetches outside a turn alone', async () => {
    const { sent, fetch: backend } = subgraphs();
    const readAhead = createReadAhead();
    const fetch = readAhead.wrap(backend);
    readAhead.end((await turn(readAhead, fetch, 'c-1')).t, true);
    sent.length = 0;
    await fetch(ORDERS, { headers: { [TURN_HEADER]: 'not-a-turn' }, body: entity('c-1') });
    await fetch(ORDERS, { body: entity('c-1') });
    expect(sent).toHaveLength(2);
  });

  it('reports a later round\'s audited fields for the next turn to write with the first', async () => {
    const readAhead = createReadAhead();
    const t = readAhead.begin('K', 'c-1', () => ({}));
    readAhead.noteAudited(t, 'c-1', ['firstName', 'lastName']);
    readAhead.noteAudited(t, 'c-9', ['email']);
    readAhead.noteAudited(t, 'c-1', ['brief', 'firstName']);
    readAhead.end(t, true);
    expect(readAhead.begin('K', 'c-2', () => ({})).learned?.laterAudited).toEqual(['brief']);
  });
});
