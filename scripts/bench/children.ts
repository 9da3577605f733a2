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

/** Stops every service process still running: a failed bench leaves none behind. */
export const stopAll = async () => void (await Promise.all([...running].map((child) => child.stop())));
