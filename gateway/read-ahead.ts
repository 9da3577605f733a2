import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { LRUCache } from 'lru-cache';
import { Counter } from 'prom-client';
import { TURN_HEADER } from '../subgraphs/shared/auth';
import { registry } from '../subgraphs/shared/metrics';
import type { SubgraphFetcher, SubgraphResponse } from './fetcher';


const readAheads = new Counter({
  name: 'gateway_read_ahead_total',
  help: "Subgraph fetches the gateway sent before the plan reached them (keyed by the verified customer): used, or unused (the plan went another way)",
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** A fetch the plan made with the turn's customer as its only representation, with that customer's id cut out. */
interface LearnedFetch {
  url: string;
  before: string;
  after: string;
  typename: string;
}

/** What the last complete answer of one operation (with these variables) fetched and audited. */
interface Learned {
  fetches: LearnedFetch[];
  /** Profile fields the answer reported for its customer after the first report (the brief's round). */
  laterAudited: string[];
}

/** One read-only request for one customer, while it runs. */
export interface Turn {
  id: string;
  key: string;
  customerId: string;
  /** What the data source would send a subgraph (the viewer signed for it, the deadline, freshness). */
  headersFor(url: string): Record<string, string>;
  fired: boolean;
  started: Map<string, Promise<SubgraphResponse>>;
  seen: LearnedFetch[];
  learned?: Learned;
  /** Fields reported for the customer so far, in order of rounds: the first round's, then the rest. */
  audited: { first?: Set<string>; later: Set<string> };
}

/** At most this many fetches are sent ahead for one request. */
const MAX_AHEAD = 8;

/**
 * Entity fetches sent before the plan reaches them. A verified caller's turn (the AI agent's
 * per-turn context) asks for its customer and then, keyed by that customer, for orders and
 * balances: the plan waits for the CRM's answer to learn an id the verified session already
 * named. So each operation (with its variables) remembers which fetches its last complete answer
 * made with only the customer's key as representation; the next request of that operation for any
 * customer sends them at once, beside the plan's first fetch, and the plan's own fetch, when it
 * comes byte for byte the same, takes that answer. A fetch the plan does not make is dropped
 * (`gateway_read_ahead_total{outcome="unused"}`). Only queries read ahead: a mutation's reads must
 * follow its write. Each fetch carries the same signed caller the plan's would, so a subgraph
 * checks and scopes it the same.
 */
export function createReadAhead(options: { max?: number } = {}) {
  const learned = new LRUCache<string, Learned>({ max: options.max ?? 1_000 });
  // Ended by the plugin's willSendResponse; the bound and the life only guard against a request that never got there.
  const turns = new LRUCache<string, Turn>({ max: 10_000, ttl: 120_000 });

  /** A new turn for a query of the customer's, registered until `end`. */
  function begin(key: string, customerId: string, headersFor: Turn['headersFor']): Turn {
    const turn: Turn = { id: randomUUID(), key, customerId, headersFor, fired: false, started: new Map(), seen: [], learned: learned.get(key), audited: { later: new Set() } };
    turns.set(turn.id, turn);
    return turn;
  }

  /** Ends the turn; a complete answer teaches the next turn of its operation what to send ahead and to audit. */
  function end(turn: Turn, complete: boolean): void {
    turns.delete(turn.id);
    for (const unused of turn.started.values()) {
      readAheads.labels('unused').inc();
      void unused.catch(() => undefined);
    }
    turn.started.clear();
    if (complete) learned.set(turn.key, { fetches: turn.seen.slice(0, MAX_AHEAD), laterAudited: [...turn.audited.later].sort() });
  }

  /** The profile fields a subgraph reported for a customer in this turn (the audit log's input). */
  function noteAudited(turn: Turn, customerId: string, fields: readonly string[]): void {
    if (customerId !== turn.customerId) return;
    if (!turn.audited.first) turn.audited.first = new Set(fields);
    else for (const f of fields) if (!turn.audited.first.has(f)) turn.audited.later.add(f);
  }

  const bodyOf = (fetch: LearnedFetch, customerId: string) => `${fetch.before}${JSON.stringify([{ __typename: fetch.typename, id: customerId }])}${fetch.after}`;

  /** The learnable form of a fetch: its body around a sole representation `{__typename, id}` of the turn's customer. */
  function learnable(url: string, body: string, customerId: string): LearnedFetch | undefined {
    if (!body.includes('"representations"') || !body.includes(customerId)) return undefined;
    let representations: unknown;
    try {
      representations = (JSON.parse(body) as { variables?: { representations?: unknown } }).variables?.representations;
    } catch {
      return undefined;
    }
    if (!Array.isArray(representations) || representations.length !== 1) return undefined;
    const [only] = representations as Record<string, unknown>[];
    const keys = Object.keys(only ?? {});
    if (keys.length !== 2 || keys[0] !== '__typename' || keys[1] !== 'id' || only.id !== customerId || typeof only.__typename !== 'string') return undefined;
    const needle = JSON.stringify(representations);
    const at = body.indexOf(needle);
    if (at < 0 || body.indexOf(needle, at + 1) >= 0) return undefined;
    return { url, before: body.slice(0, at), after: body.slice(at + needle.length), typename: only.__typename };
  }

  /** The gateway's subgraph fetcher, sending a turn's learned fetches ahead and answering the plan's from them. */
  const wrap =
    (fetch: SubgraphFetcher): SubgraphFetcher =>
    (url, init) => {
      const turn = turns.get(init.headers?.[TURN_HEADER] ?? '');
      if (!turn || !init.body) return fetch(url, init);
      const seen = learnable(url, init.body, turn.customerId);
      if (seen && turn.seen.length < MAX_AHEAD) turn.seen.push(seen);
      const key = `${url}\n${init.body}`;
      const ahead = turn.started.get(key);
      if (ahead) {
        turn.started.delete(key);
        readAheads.labels('used').inc();
        return ahead;
      }
      // The plan's own fetch leaves first: the first step waits for it whatever is sent beside it.
      const own = fetch(url, init);
      if (!turn.fired) {
        turn.fired = true;
        for (const next of turn.learned?.fetches ?? []) {
          const body = bodyOf(next, turn.customerId);
          const sent = fetch(next.url, { method: 'POST', headers: turn.headersFor(next.url), body });
          sent.catch(() => undefined);
          turn.started.set(`${next.url}\n${body}`, sent);
        }
      }
      return own;
    };

  return { begin, end, noteAudited, wrap, turns };
}

export type ReadAhead = ReturnType<typeof createReadAhead>;

/** The plugin that opens a turn for each query whose caller names one customer, and closes it. */
export function readAheadPlugin<C extends { turn?: Turn; viewer?: { kind: string; id: string; customerId?: string }; refreshAhead?: number }>(
  readAhead: ReadAhead,
  headersFor: (context: C) => Turn['headersFor'],
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, contextValue, queryHash, request }) {
          const viewer = contextValue.viewer;
          if (operation?.operation !== 'query' || !viewer) return;
          const customerId = viewer.customerId ?? (viewer.kind === 'customer' ? viewer.id : undefined);
          if (!customerId) return;
          const key = `${queryHash}:${request.operationName ?? ''}:${JSON.stringify(request.variables ?? {})}`;
          contextValue.turn = readAhead.begin(key, customerId, headersFor(contextValue));
        },
        async willSendResponse({ contextValue, response }) {
          const { turn } = contextValue;
          if (!turn) return;
          contextValue.turn = undefined;
          readAhead.end(turn, response.body.kind === 'single' && !response.body.singleResult.errors?.length);
        },
      };
    },
  };
}
