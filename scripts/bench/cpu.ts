import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

function stat(pid: number): { ppid: number; ms: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name in parentheses: state, ppid, …, utime (14th field), stime (15th).
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds (user + system) used so far by a process and its descendants: a service runs as
 * tsx's child, so the spawned pid alone is only the launcher. Linux only (/proc).
 */
export function treeCpuMs(root: number): number {
  const children = new Map<number, number[]>();
  const own = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    own.set(pid, s.ms);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    total += own.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** CPU ms so far of each named process (and its descendants). */
export const cpuOf = (processes: Record<string, { process: { pid?: number } }>): Record<string, number> =>
  Object.fromEntries(Object.entries(processes).map(([name, child]) => [name, treeCpuMs(child.process.pid!)]));

/** CPU ms a request of each process between two readings. */
export const perTurn = (before: Record<string, number>, after: Record<string, number>, requests: number): Record<string, number> =>
  Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] - before[name]) / Math.max(1, requests)]));
