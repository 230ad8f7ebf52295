/** CPU and memory of one process from /proc, for targets without cgroups of their own. */
import { readFile } from 'node:fs/promises';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_SIZE = 4096;

export interface ProcStat {
  cpuSeconds: number;
  rssBytes: number;
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { cpuSeconds: (utime + stime) / TICKS_PER_SECOND, rssBytes: rssPages * PAGE_SIZE };
  } catch {
    return undefined; // the process is gone
  }
}
