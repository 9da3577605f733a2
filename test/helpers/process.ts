import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

export { freePorts } from '../../subgraphs/shared/http';

export interface Child {
  process: ChildProcess;
  output(): string;
  /** Resolves when the output matches, rejects when the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL to the service itself (tsx runs it as a child process, which a signal to tsx would miss) and to tsx. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** How much of a child's output is kept: its first lines and, of the rest, the latest. */
const KEPT_OUTPUT = 4 * 1024 * 1024;
const KEPT_HEAD = 256 * 1024;

/**
 * Runs one of the project's entry points as its own process, with only the env given: a TypeScript
 * one through tsx, a compiled one (`dist/….js`) with plain node, as the image runs it.
 */
export function runEntry(entry: string, env: Record<string, string>): Child {
  const child = spawn(entry.endsWith('.js') ? process.execPath : TSX, [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    // A long run (the bench's services) would grow one string in the process generating the load:
    // the start (what the process said it is) and the latest lines are what anyone reads.
    if (output.length > KEPT_OUTPUT) output = `${output.slice(0, KEPT_HEAD)}\n[… output cut …]\n${output.slice(-(KEPT_OUTPUT - KEPT_HEAD))}`;
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    process: child,
    output: () => output,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${output.slice(-2000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((code) => {
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`exited with ${code} before ${pattern}; output:\n${output.slice(-2000)}`));
          }
        });
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      for (const pid of descendants(child.pid!)) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Every process below `pid`, deepest first (Linux /proc). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [...descendants(c), c]);
}
