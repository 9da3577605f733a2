import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger';
import { findCardNumbersInTokens, redactCardNumbers } from './pii';

/**
 * The closed set of error codes this API promises in `extensions.code`.
 * Clients branch on these; backend messages and stack traces never reach them.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_REQUEST',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONFLICT: 'CONFLICT',
  /** The verified session is unknown: verify the caller (again). */
  VERIFICATION_REQUIRED: 'VERIFICATION_REQUIRED',
  /** The verified session ran out: verify the caller again. */
  VERIFICATION_EXPIRED: 'VERIFICATION_EXPIRED',
  /** Too many requests from this caller; `Retry-After` says when to try again. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The operation is deeper, wider, longer or costlier than the gateway's limits. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** This caller may only run the named operations of schema/operations. */
  OPERATION_NOT_ALLOWED: 'OPERATION_NOT_ALLOWED',
  /** A backend or subgraph is down (or its circuit is open): retry later; `service` names it. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** A backend or subgraph did not answer within the deadline: retry later; `service` names it. */
  BACKEND_TIMEOUT: 'BACKEND_TIMEOUT',
  /**
   * A record could not be completed: a reference its system no longer resolves (an order deleted or
   * erased upstream) or a field a system left out. The nearest nullable field on the path is null.
   */
  INCOMPLETE_DATA: 'INCOMPLETE_DATA',
  /** The service is past its capacity: retry after `Retry-After`. */
  OVERLOADED: 'OVERLOADED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one HTTP status of each code, for an answer it refuses (no `data`): the gateway's refusals
 * before execution and its answers without data both take it from here. A partial answer (some
 * `data`) is 200, with the codes in `errors`.
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  VERIFICATION_REQUIRED: 401,
  VERIFICATION_EXPIRED: 401,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  OPERATION_NOT_ALLOWED: 403,
  BACKEND_UNAVAILABLE: 503,
  BACKEND_TIMEOUT: 504,
  // Only without data: a non-null root that a system could not complete.
  INCOMPLETE_DATA: 502,
  OVERLOADED: 503,
  INTERNAL_SERVER_ERROR: 500,
});

/** The status of an answer without data that carries these errors: the first coded one's. */
export function httpStatusOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): number | undefined {
  for (const error of errors ?? []) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && code in HTTP_STATUS) return HTTP_STATUS[code as ErrorCode];
  }
  return undefined;
}

/** What adapters and resolvers throw; `message` is safe to show a client. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const badInput = (message: string, details?: Record<string, unknown>) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, details);

/** Codes Apollo and graphql-js produce for request problems; their messages are safe to pass on. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

// graphql-js's suggestions name schema members only: `Did you mean the enum value "VOICE"?`.
const SUGGESTION = /\s*Did you mean (the enum value )?"\w+"((, | or |, or )"\w+")*\?$/;
const ANY_SUGGESTION = /\s*Did you mean [\s\S]*\?$/;
const INVALID = 'Not a valid value for its type.';

/**
 * graphql-js's messages about input (variable coercion, literals), each said without the value it
 * quotes: `String cannot represent a non string value: 4222222222222` becomes `String cannot
 * represent a non string value.` What quotes only the schema passes as it is.
 */
const REASONS: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^(Expected type "\w+" to be an object|Field "\w+(\.\w+)?" of required type "[\w!\[\]]+" was not provided|Expected non-nullable type "[\w!\[\]]+" not to be null|Exactly one key must be specified for OneOf type "\w+")\.$/, (m) => m[0]],
  [/^((Enum "\w+"|\w+) cannot represent [^:]*?): /, (m) => `${m[1]}.`],
  [/^Value "[\s\S]*" does not exist in "(\w+)" enum\./, (m) => `The value is not one of enum "${m[1]}".`],
  [/^Field "[\s\S]*" is not defined by type "(\w+)"\./, (m) => `A field that type "${m[1]}" does not define was given.`],
  [/^Expected value of type "([\w!\[\]]+)", found /, (m) => `Expected a value of type "${m[1]}".`],
  [/^Expected type "(\w+)"\./, (m) => `Expected a value of type "${m[1]}".`],
];

/** The reason without the value, with the schema's suggestion outside production; null when not a known form. */
function reasonWithoutValue(reason: string, production: boolean): string | null {
  for (const [form, say] of REASONS) {
    const match = reason.match(form);
    if (match) return say(match) + (production ? '' : (reason.match(SUGGESTION)?.[0] ?? ''));
  }
  return null;
}

/** A request error's message without the input value it quotes (variables and literals alike). */
function withoutInputValue(message: string, error: unknown, production: boolean): string {
  const variable = message.match(/^Variable "\$(\w+)" got invalid value /);
  if (!variable) return reasonWithoutValue(message, production) ?? message;
  // `Variable "$x" got invalid value <value>[ at "x.path"]; <reason>`, the reason being the inner error's message.
  const inner = error instanceof GraphQLError && error.originalError instanceof Error ? error.originalError : undefined;
  const prefix = inner && message.endsWith(`; ${inner.message}`) ? message.slice(0, -inner.message.length - 2) : '';
  const at = prefix.match(/ at "([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[\d+\])*)"$/)?.[1];
  const where = at && !findCardNumbersInTokens(at).length ? ` at "${at}"` : '';
  // Our own scalars' refusals (DateTime) say what is expected and never the value.
  const ours = inner instanceof GraphQLError && inner.extensions?.code === ErrorCode.BAD_USER_INPUT;
  const reason = inner ? (ours ? inner.message : reasonWithoutValue(inner.message, production)) : null;
  return `Variable "$${variable[1]}" has an invalid value${where}: ${reason ?? INVALID}`;
}

/** The last word on any message a client sees: no suggestion in production, no card number ever. */
function safe(formatted: GraphQLFormattedError, production: boolean): GraphQLFormattedError {
  let message = redactCardNumbers(production ? formatted.message.replace(ANY_SUGGESTION, '') : formatted.message);
  for (const digits of findCardNumbersInTokens(message)) message = message.replace(digits, '[card number removed]');
  return message === formatted.message ? formatted : { ...formatted, message };
}

/**
 * Apollo's `formatError`: AppErrors keep their code and message, request errors pass through
 * without the input values they quote, anything else is logged and replaced by a generic
 * INTERNAL_SERVER_ERROR. In production no message suggests a name.
 */
export function createErrorFormatter(logger: Logger, options: { production?: boolean } = {}) {
  const production = Boolean(options.production);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => safe(format(formatted, error), production);

  function format(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { ...original.details, code: original.code },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && (REQUEST_CODES.has(code) || code in ErrorCode) && code !== 'INTERNAL_SERVER_ERROR') {
      const { stacktrace: _drop, ...extensions } = formatted.extensions ?? {};
      const message = code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED' ? withoutInputValue(formatted.message, original, production) : formatted.message;
      return { ...formatted, message, extensions };
    }
    // A GraphQLError raised by graphql-js itself (a non-null violation, a scalar that failed to
    // serialize) carries no code; it names a schema contract, so its message is safe but coded.
    if (original instanceof GraphQLError && !original.originalError) {
      return { message: formatted.message, path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error in resolver');
    return {
      message: 'Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  }
}
