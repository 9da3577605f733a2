import pino from 'pino';

export type Logger = pino.Logger;

/** One structured logger per process; `name` tells which service wrote a line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  // ISO times: readable, and never a 13-digit number that a card-number scan would have to excuse.
  const options: pino.LoggerOptions = { name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}
