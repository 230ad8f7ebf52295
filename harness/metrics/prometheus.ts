/**
 * The Prometheus text exposition format, just enough to read counters: `name{l="v",...} value`
 * lines, comments and other metrics skipped. Pure, so the cross-check is testable on text.
 */

export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseCounter(text: string, name: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples.push({ labels, value });
  }
  return samples;
}

/** The increase of every labelled series between two scrapes (a series new in `after` counts from 0). */
export function counterDelta(before: readonly PromSample[], after: readonly PromSample[]): PromSample[] {
  const key = (s: PromSample) => JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b)));
  const start = new Map(before.map((s) => [key(s), s.value]));
  return after.map((s) => ({ labels: s.labels, value: s.value - (start.get(key(s)) ?? 0) })).filter((s) => s.value !== 0);
}
