import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Cache } from './cache';
import type { Change } from './outbox';
import { routeError } from './http';
import type { Logger } from './logger';
import { invalidationLag, outboxLag } from './metrics';

/** One kind of change a backend announces: its payload, and the cache tags it makes stale. */
export interface EventDefinition<T> {
  data: z.ZodType<T>;
  tags: (data: T) => string[];
}

export const event = <T>(data: z.ZodType<T>, tags: (data: T) => string[]): EventDefinition<T> => ({ data, tags });
export const entityId = z.string().min(1).max(100);

/** How old a signed event may be before it is refused as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`: what a backend sends in X-Signature. */
export function signEvent(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifySignature(secret: string, body: string, header: string | undefined, now = Date.now()): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.t);
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
  if (Math.abs(now / 1000 - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(parts.v1, 'hex'));
}

const envelope = z.object({
  id: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  data: z.record(z.string(), z.unknown()),
});

export interface EventResponse {
  status: number;
  body: unknown;
}

/**
 * POST /events of a subgraph: a backend's signed change events. A valid one invalidates what it
 * makes stale, here and (through the cache's broadcast) in every replica.
 */
export function createEventsHandler(options: {
  secret: string;
  events: Record<string, EventDefinition<any>>;
  cache: Cache;
  logger: Logger;
  /** The subgraph, as the invalidation lag metric names it. */
  service?: string;
}): (rawBody: string, signature: string | undefined) => Promise<EventResponse> {
  const lag = invalidationLag.labels(options.service ?? 'subgraph', 'events');
  return async (rawBody, signature) => {
    const received = Date.now();
    if (!verifySignature(options.secret, rawBody, signature)) {
      return routeError(401, 'UNAUTHENTICATED', 'Missing, expired or invalid X-Signature');
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return routeError(400, 'BAD_REQUEST', 'The body is not JSON');
    }
    const parsed = envelope.safeParse(json);
    if (!parsed.success) return routeError(400, 'BAD_REQUEST', `Not an event: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`);
    const definition = options.events[parsed.data.type];
    if (!definition) return routeError(400, 'BAD_REQUEST', `Unknown event type ${parsed.data.type}; known: ${Object.keys(options.events).join(', ')}`);
    const data = definition.data.safeParse(parsed.data.data);
    if (!data.success) return routeError(400, 'BAD_REQUEST', `Bad ${parsed.data.type} data: ${data.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    const tags = definition.tags(data.data);
    await options.cache.invalidateTags(tags);
    // From when the backend says the change happened (its clock may run ahead: never below 0), else from receipt.
    const occurred = parsed.data.occurredAt ? Date.parse(parsed.data.occurredAt) : received;
    lag.observe(Math.max(0, Date.now() - occurred) / 1000);
    options.logger.debug({ event: parsed.data.id, type: parsed.data.type, tags }, 'change event applied');
    return { status: 202, body: { accepted: parsed.data.id, invalidated: tags } };
  };
}

/**
 * Delivers the changes a backend's writes recorded (its outbox) to the cache, at least once: a
 * batch is deleted from the outbox only after its invalidation reached every replica. Runs every
 * `everyMs` until stopped.
 */
export function relayChanges(options: {
  drain: (deliver: (changes: Change[]) => Promise<void>) => Promise<number>;
  events: Record<string, EventDefinition<any>>;
  cache: Pick<Cache, 'invalidateTags'>;
  logger: Logger;
  everyMs?: number;
  /** The subgraph, as the outbox metrics name it. */
  service?: string;
}): { stop(): Promise<void> } {
  const service = options.service ?? 'subgraph';
  const lag = invalidationLag.labels(service, 'outbox');
  const pendingAge = outboxLag.labels(service);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const deliver = async (changes: Change[]) => {
    const tags = new Set<string>();
    for (const change of changes) {
      const definition = options.events[change.type];
      const data = definition?.data.safeParse(change.data);
      if (!definition || !data?.success) {
        options.logger.error({ change }, 'an outbox change no event describes: dropped');
        continue;
      }
      definition.tags(data.data).forEach((tag) => tags.add(tag));
    }
    if (tags.size && !(await options.cache.invalidateTags([...tags]))) throw new Error('the cache did not take the invalidation');
    const now = Date.now();
    let oldest = now;
    for (const change of changes) {
      const at = change.createdAt?.getTime() ?? now;
      oldest = Math.min(oldest, at);
      lag.observe(Math.max(0, now - at) / 1000);
    }
    pendingAge.set((now - oldest) / 1000);
  };
  const tick = () => {
    running = options
      .drain(deliver)
      .then((delivered) => void (delivered === 0 && pendingAge.set(0)))
      .catch((err) => options.logger.warn({ err: (err as Error).message }, 'outbox not delivered yet; retrying'))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.everyMs ?? 250);
      });
  };
  timer = setTimeout(tick, options.everyMs ?? 250);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
