// CPU time and memory of processes, read from /proc: the servers under test, their cluster
// workers, and the services beside them (PostgreSQL, Redis) on the same machine.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of CPU times in /proc/<pid>/stat. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Reads a /proc file, or undefined when the process has gone (or is not ours to read). */
function readProc(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) of a process so far, `own`, and of its children it has already
 * waited for, `reaped`; undefined once the process has gone.
 */
export function cpuOf(pid) {
  const stat = readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the parenthesised command name: utime, stime, cutime and cstime are the 14th to
  // 17th of the line.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { own: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS, reaped: (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS };
}

/** The command name of a process (what `ps -o comm` shows), or undefined once it has gone. */
function commOf(pid) {
  return readProc(`/proc/${pid}/comm`)?.trim();
}

/** A process and all its descendants (a cluster primary and its workers), parent first. */
export function familyOf(pid) {
  const family = [pid];
  for (let i = 0; i < family.length; i++) {
    const children = readProc(`/proc/${family[i]}/task/${family[i]}/children`) ?? '';
    for (const child of children.trim().split(/\s+/).filter(Boolean)) family.push(Number(child));
  }
  return family;
}

/** CPU seconds used so far by a process and its live descendants. */
export function familyCpuSeconds(pid) {
  return familyOf(pid).reduce((sum, p) => sum + (cpuOf(p)?.own ?? 0), 0);
}

/** Peak and current resident memory in MiB of one process, from /proc/<pid>/status. */
export function memoryOf(pid) {
  const status = readProc(`/proc/${pid}/status`) ?? '';
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { pid, peakMiB: kb('VmHWM') / 1024, currentMiB: kb('VmRSS') / 1024 };
}

/**
 * CPU seconds used so far by every process whose command name is `comm` (all of PostgreSQL's
 * backends and helpers, say). Processes that exited since the last reading take their time with
 * them, so the parents' `reaped` time is added: PostgreSQL's postmaster waits for each backend
 * that ends, and its cutime + cstime then include that backend's whole life.
 */
export function commCpuSeconds(comm) {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || commOf(entry) !== comm) continue;
    const cpu = cpuOf(entry);
    if (cpu !== undefined) sum += cpu.own + cpu.reaped;
  }
  return sum;
}
