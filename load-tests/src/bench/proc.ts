/** CPU time and resident memory of process sets, read from Linux's /proc. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
const PAGE_SIZE = 4096;

interface Stat {
  pid: number;
  comm: string;
  ppid: number;
  cpuSeconds: number;
  rssBytes: number;
}

function readStat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces: split after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): utime = field 14, stime = 15, rss = 24.
    return {
      pid,
      comm,
      ppid: Number(fields[1]),
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
      rssBytes: Number(fields[21]) * PAGE_SIZE,
    };
  } catch {
    return undefined; // gone, or not ours to read
  }
}

function allStats(): Stat[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is Stat => s !== undefined);
}

/** `root` and all its descendants, minus the subtrees rooted at `exclude`. */
export function processTree(root: number, exclude: readonly number[] = []): number[] {
  const stats = allStats();
  const children = new Map<number, number[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s.pid]);
  const result: number[] = [];
  const walk = (pid: number) => {
    if (exclude.includes(pid)) return;
    result.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return result;
}

/** Every process whose command name is one of `names` (database servers we do not own). */
export function processesNamed(names: readonly string[]): number[] {
  return allStats()
    .filter((s) => names.includes(s.comm))
    .map((s) => s.pid);
}

export interface Usage {
  cpuSeconds: number;
  rssBytes: number;
}

export function usage(pids: readonly number[]): Usage {
  let cpuSeconds = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    const s = readStat(pid);
    if (!s) continue;
    cpuSeconds += s.cpuSeconds;
    rssBytes += s.rssBytes;
  }
  return { cpuSeconds, rssBytes };
}

/** CPU seconds per process, keyed by pid. */
export function cpuByPid(pids: readonly number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, readStat(pid)?.cpuSeconds ?? 0]));
}
