/**
 * Whether the process that wrote a record (an owner record, a lock, a build folder's ledger) is
 * still running: its pid alive with the same start time, so that a pid the kernel handed to
 * another process since is not taken for the writer.
 */
import { readFileSync } from 'node:fs';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); null when the process is gone. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** True when the process that wrote the record is still running (same pid and, when recorded, start time). */
export function writerAlive(record: { pid: number; startTicks: string | null }): boolean {
  const start = processStart(record.pid);
  return start !== null && (record.startTicks === null || start === record.startTicks);
}
