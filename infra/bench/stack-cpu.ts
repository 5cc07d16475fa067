import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** CPU seconds per stack process (API, workers, engines), each with its descendants. */
export type CpuByProcess = Map<string, number>;

/** Linux reports CPU time in clock ticks; 100 per second on every common kernel configuration. */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  parent: number;
  /** Own user + system time, plus that of exited children it has waited for, in seconds. */
  seconds: number;
}

function readProcStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after its ')' are positional.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ticks = [11, 12, 13, 14].reduce((total, index) => total + Number(fields[index]), 0);
    return { parent: Number(fields[1]), seconds: ticks / TICKS_PER_SECOND };
  } catch {
    return undefined; // the process ended between the listing and the read
  }
}

/**
 * Reads the CPU time of the processes whose pid files are in the stack's run directory
 * (CAIRN_RUN_DIR), counting each one's descendants too (Postgres backends, for instance).
 * Linux only; empty elsewhere or when the run directory is missing.
 */
export function stackCpuSeconds(runDir = process.env.CAIRN_RUN_DIR): CpuByProcess {
  const result: CpuByProcess = new Map();
  if (runDir === undefined || !existsSync(runDir) || !existsSync('/proc')) return result;
  const stats = new Map<number, ProcStat>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat === undefined) continue;
    stats.set(Number(entry), stat);
    children.set(stat.parent, [...(children.get(stat.parent) ?? []), Number(entry)]);
  }
  for (const file of readdirSync(runDir).filter((name) => name.endsWith('.pid'))) {
    const pid = Number(readFileSync(join(runDir, file), 'utf8').trim());
    if (!stats.has(pid)) continue;
    let seconds = 0;
    const pending = [pid];
    while (pending.length > 0) {
      const current = pending.pop()!;
      seconds += stats.get(current)?.seconds ?? 0;
      pending.push(...(children.get(current) ?? []));
    }
    result.set(basename(file, '.pid'), seconds);
  }
  return result;
}

/** CPU seconds each process spent between two readings, largest first. */
export function cpuSpent(before: CpuByProcess, after: CpuByProcess): [string, number][] {
  return [...after]
    .map(([name, seconds]): [string, number] => [name, seconds - (before.get(name) ?? 0)])
    .sort((a, b) => b[1] - a[1]);
}

/** The CPU seconds of a cpuSpent list, all processes together. */
export function totalSeconds(spent: [string, number][]): number {
  return spent.reduce((total, [, seconds]) => total + seconds, 0);
}
