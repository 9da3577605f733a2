// @ts-check
/**
 * The desk's one way to the graph: the named operations of schema/operations, sent by their
 * persisted id (never query text), as the signed-in agent and, during a call, its verified session.
 */

/** @typedef {{ message: string, path?: (string | number)[], extensions?: Record<string, any> }} GraphQLError */
/** @typedef {{ data?: any, errors?: GraphQLError[], extensions?: { stale?: { service: string, type: string, ageSeconds: number }[] } }} GraphQLBody */

export class GraphError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * @param {{ operations: Record<string, string>, credentials: () => { token?: string, session?: string } }} options
 */
export function createGraphClient({ operations, credentials }) {
  /**
   * Runs a named operation; a refusal without data throws a GraphError with the graph's code.
   * `fresh` asks every system of record rather than the caches (Cache-Control: no-cache).
   * @param {string} name
   * @param {Record<string, unknown>} [variables]
   * @param {{ fresh?: boolean }} [options]
   * @returns {Promise<GraphQLBody>}
   */
  return async function run(name, variables = {}, { fresh = false } = {}) {
    const sha256Hash = operations[name];
    if (!sha256Hash) throw new GraphError('BAD_REQUEST', `This gateway has no operation ${name}`);
    const { token, session } = credentials();
    /** @type {Record<string, string>} */
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (session) headers['x-verified-session'] = session;
    if (fresh) headers['cache-control'] = 'no-cache';
    let response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers,
        body: JSON.stringify({ operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash } } }),
      });
    } catch {
      throw new GraphError('BACKEND_UNAVAILABLE', 'The graph cannot be reached');
    }
    /** @type {GraphQLBody} */
    let body;
    try {
      body = await response.json();
    } catch {
      throw new GraphError('INTERNAL_SERVER_ERROR', `The graph answered ${response.status}`);
    }
    if (!body.data && body.errors?.length) {
      const [first] = body.errors;
      throw new GraphError(String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), first.message);
    }
    return body;
  };
}

/** What a JWT says about its holder (read for display only; the gateway verifies it). @param {string} token */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return /** @type {{ sub?: string, role?: string, channel?: string, exp?: number }} */ (JSON.parse(atob(payload)));
  } catch {
    return {};
  }
}
