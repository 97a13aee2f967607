// A process's own resource figures, read from Linux /proc (proc(5)): CPU time is utime + stime of
// /proc/<pid>/stat in clock ticks, memory is VmRSS / VmHWM of /proc/<pid>/status. Only the process
// itself is counted, never its children or the load client, so each server is charged for its own work.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** Clock ticks per second (`getconf CLK_TCK`); 100 on every Linux we know of, so that is the fallback. */
const clockTicksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may itself contain spaces or ')': the fields
  // that follow start after the LAST ')'. utime and stime are fields 14 and 15, i.e. 11 and 12 after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}

export interface MemoryFigures {
  /** Resident set size now. */
  rssBytes: number;
  /** Peak resident set size ("high water mark") since start or since the last resetPeakRss(). */
  peakRssBytes: number;
}

export function memory(pid: number): MemoryFigures {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssBytes: kib('VmRSS') * 1024, peakRssBytes: kib('VmHWM') * 1024 };
}

/** Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0, proc(5)); false when not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}
