import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

export type Logger = pino.Logger;

/** What the access log and the metrics learn of a request while it runs (the listener opens it, the context fills it in). */
export interface RequestScope {
  id: string;
  /** The named operation asked for (bounded for metrics, see metrics.ts), once known. */
  operation?: string;
  /** The caller's kind (customer, agent, operations, service, anonymous): never who, never the token. */
  caller?: string;
  /** A W3C traceparent saying the request's trace is not sampled, for the services it calls (telemetry.ts). */
  traceparent?: string;
}

/** The request in progress: every log line written while it runs carries its id. */
export const requestScope = new AsyncLocalStorage<RequestScope>();

export const REQUEST_ID_HEADER = 'x-request-id';
// Short and safe to echo into logs and headers: letters, digits and a few separators (UUIDs, ULIDs, trace ids).
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The client's request id when it is short and safe, else a new one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const id = Array.isArray(header) ? header[0] : header;
  return id !== undefined && SAFE_REQUEST_ID.test(id) ? id : randomUUID();
}

/** Adds the request's id to a line logged inside a request scope; outside one, nothing. */
const withRequestId = () => {
  const scope = requestScope.getStore();
  return scope ? { requestId: scope.id } : {};
};

/** One structured logger per process; `name` tells which service wrote a line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  // ISO times: readable, and never a 13-digit number that a card-number scan would have to excuse.
  const options: pino.LoggerOptions = { name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime, mixin: withRequestId };
  return destination ? pino(options, destination) : pino(options);
}
