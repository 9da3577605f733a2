import { runEntry, type Child } from '../../test/helpers/process';

const running = new Set<Child>();

/** Service start-up on a loaded machine (the bench shares it) can take far longer than in tests. */
export const START_TIMEOUT_MS = 300_000;

/** A service process of the bench, stopped by stopAll if the bench fails before it does. */
export function start(entry: string, env: Record<string, string>): Child {
  const child = runEntry(entry, env);
  running.add(child);
  void child.exited.then(() => running.delete(child));
  return child;
}

/**
 * Resolves once a service answers GET /healthz on `port`: a service listens only when it is ready
 * (schema loaded, adapter migrated, operations planned), and the bench's services log warnings
 * only, so their "ready" lines never come. Rejects when `ended` says the process is gone (its
 * message) or time runs out; `output` is added to either error.
 */
export async function untilHealthy(port: number | string, service: { ended(): string | undefined; output(): string }, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ended = service.ended();
    if (ended) throw new Error(`${ended} before listening on ${port}; output:\n${service.output().slice(-2000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not listening on ${port} within ${timeoutMs} ms; output:\n${service.output().slice(-2000)}`);
}

/** untilHealthy for a bench service process. */
export function untilListening(child: Child, port: number | string): Promise<void> {
  let exited: number | null | undefined;
  void child.exited.then((code) => (exited = code));
  return untilHealthy(port, { ended: () => (exited === undefined ? undefined : `exited with ${exited}`), output: () => child.output() });
}

/** Stops every service process still running: a failed bench leaves none behind. */
export const stopAll = async () => void (await Promise.all([...running].map((child) => child.stop())));
