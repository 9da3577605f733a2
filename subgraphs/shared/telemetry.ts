import { basename, dirname } from 'node:path';
import { context, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

/**
 * OpenTelemetry traces, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: a NodeTracerProvider exporting
 * OTLP over HTTP (JSON) in batches, W3C traceparent in and out, spans for HTTP in and out, undici
 * (the gateway's subgraph fetches), PostgreSQL and Redis, plus @apollo/gateway's own (gateway.plan,
 * gateway.fetch, …) and ours (each vendor call). Unset, nothing is loaded or registered: the API's
 * no-op tracer makes every span call a few property reads.
 *
 * Instrumentation patches modules as they are first required, so this runs before anything else in
 * each entry point (its first import); `OTEL_SERVICE_NAME` overrides the service name it guesses.
 */
let started: { shutdown(): Promise<void> } | undefined;

export function startTelemetry(env: NodeJS.ProcessEnv = process.env): { shutdown(): Promise<void> } | undefined {
  if (started || (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)) return started;
  // Loaded here, not above: a process without tracing never loads the SDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici') as typeof import('@opentelemetry/instrumentation-undici');
  const { PgInstrumentation } = require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { IORedisInstrumentation } = require('@opentelemetry/instrumentation-ioredis') as typeof import('@opentelemetry/instrumentation-ioredis');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? serviceOfEntry(process.argv[1]) }),
    // The exporter reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      // Probes and scrapes are no one's request.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => /^\/(healthz|readyz|metrics)\b/.test(req.url ?? ''), requireParentforOutgoingSpans: true }),
      // Calls out are traced as part of a request's trace, never as traces of their own (see withoutUnsampledSpan).
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  started = { shutdown: () => provider.shutdown() };
  return started;
}

/** Sends the spans still buffered (on shutdown); nothing when tracing is off. */
export const stopTelemetry = async () => {
  await started?.shutdown().catch(() => undefined);
};

/** `subgraphs/orders/index.ts` → orders, `gateway/index.ts` → gateway, `scripts/start.ts` → customer-context. */
function serviceOfEntry(entry = ''): string {
  const name = basename(entry).replace(/\.[cm]?[jt]s$/, '');
  if (name === 'index') return basename(dirname(entry));
  return name === 'start' ? 'customer-context' : name;
}

const tracer = trace.getTracer('customer-context-graph');

/**
 * Runs a request's work without the request's span in context when its trace is not sampled
 * (OTEL_TRACES_SAMPLER): the SQL, Redis and HTTP-client instrumentations, which need a parent span
 * here, then skip their work entirely. Unsampled spans record nothing, but creating them was most of
 * what tracing cost a turn. The decision still travels on: `scope.traceparent` (flags 00) is what
 * the gateway sends its subgraphs, so they skip theirs too.
 */
export function withoutUnsampledSpan<T>(scope: { traceparent?: string }, run: () => T): T {
  const span = trace.getActiveSpan();
  if (!span || span.isRecording()) return run();
  const { traceId, spanId } = span.spanContext();
  scope.traceparent = `00-${traceId}-${spanId}-00`;
  // Suppressed as well: spans started without a parent (@apollo/gateway's own) would begin new traces.
  // Required once: a require per request goes through the module loader (and tsx's hooks) each time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  suppressTracing ??= (require('@opentelemetry/core') as typeof import('@opentelemetry/core')).suppressTracing;
  return context.with(suppressTracing(trace.deleteSpan(context.active())), run);
}
let suppressTracing: typeof import('@opentelemetry/core').suppressTracing | undefined;

/** Runs `work` in a span of its own (a vendor call) within the request's trace, ended when it settles; an error marks it failed. */
export function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  // Outside a sampled request's trace (unsampled, or no request at all) a vendor call starts no trace of its own.
  if (!trace.getActiveSpan()) return work();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as { code?: string }).code ?? (err as Error).name });
      throw err;
    } finally {
      span.end();
    }
  });
}
