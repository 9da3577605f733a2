import pino from 'pino';

export type Logger = pino.Logger;

/** One structured logger per process; `name` tells which service wrote a line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}
