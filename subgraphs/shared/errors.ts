import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger';

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

/**
 * Apollo's `formatError`: AppErrors keep their code and message, request errors pass through,
 * anything else is logged and replaced by a generic INTERNAL_SERVER_ERROR.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
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
      return { ...formatted, extensions };
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
  };
}
