/**
 * The claims read off the paper's tables (I–IV): throughput, mean latency and error rate per
 * system and worker count. These are whole-window figures of a steady regime, judged on windows
 * of any length (the collapse claims, verdicts-collapse.ts, need long ones).
 */
import { paperReference } from '../report/paper-reference.ts';
import type { ProfileResult } from '../results/schema.ts';
import {
  direction,
  isAbout,
  isAbove,
  isBelow,
  judged,
  measure,
  measureRatio,
  num,
  pct,
  pooledErrorShare,
  profilesOf,
  shown,
  untestable,
  type Measured,
  type Part,
} from './verdict-rules.ts';

export const PAPER_WORKERS = [1, 5, 10, 50] as const;

type Metric = 'throughput' | 'mean latency';
const READ: Record<Metric, (p: ProfileResult) => number> = { throughput: (p) => p.throughput, 'mean latency': (p) => p.latency.mean };
const throughput: Metric = 'throughput';
const meanLatency: Metric = 'mean latency';

const paper = (system: 'p2p' | 'openfaas', workers: number) => paperReference(system, workers)!;
const label = (workers: number) => `${workers} worker${workers === 1 ? '' : 's'}`;

/** The ratio of two groups' figures (a over b), or a part saying what is missing. */
function ratioPart(
  profiles: readonly ProfileResult[],
  a: { system: string; workers: number },
  b: { system: string; workers: number },
  metric: Metric,
  judge: (r: Measured, a: Measured, b: Measured) => Part,
): Part {
  const ra = profilesOf(profiles, a.system, a.workers);
  const rb = profilesOf(profiles, b.system, b.workers);
  if ('missing' in ra) return untestable(ra.missing);
  if ('missing' in rb) return untestable(rb.missing);
  // A profile without responses records its latency as 0, which is no measurement.
  const empty = [...ra.runs, ...rb.runs].find((p) => p.requests === 0 || (metric === meanLatency && p.latency.count === 0));
  if (empty) return untestable(`${empty.system} at ${empty.workers} workers had no responses: no ${metric}`);
  const read = READ[metric];
  const r = measureRatio(ra.runs.map(read), rb.runs.map(read));
  if (!r) return untestable(`${b.system} at ${b.workers} workers measured 0`);
  return judge(r, measure(ra.runs.map(read)), measure(rb.runs.map(read)));
}

function aboveOnePart(what: string, unit: string, aName: string, bName: string) {
  return (r: Measured, a: Measured, b: Measured): Part =>
    judged(isAbove(r, 1), `${what}: ${aName} ${shown(a)} ${unit}, ${bName} ${shown(b)} ${unit}, ratio ${shown(r)}, ${direction(r)} 1`);
}

export function judgeC1(profiles: readonly ProfileResult[]): Part[] {
  return [1, 5, 50].map((w) =>
    ratioPart(profiles, { system: 'p2p', workers: w }, { system: 'openfaas', workers: w }, throughput, aboveOnePart(label(w), 'req/s', 'p2p', 'OpenFaaS')),
  );
}

export function judgeC2(profiles: readonly ProfileResult[]): Part[] {
  return [1, 5].map((w) => {
    const expected = paper('openfaas', w).throughput / paper('p2p', w).throughput;
    return ratioPart(profiles, { system: 'openfaas', workers: w }, { system: 'p2p', workers: w }, throughput, (r) =>
      judged(isAbout(r, expected), `${label(w)}: OpenFaaS/p2p throughput ${shown(r)} against the paper's ${num(expected)}: ${isAbout(r, expected) ? 'within' : 'outside'} the margins`),
    );
  });
}

export function judgeC3(profiles: readonly ProfileResult[]): Part[] {
  return [1, 5].map((w) =>
    ratioPart(profiles, { system: 'openfaas', workers: w }, { system: 'p2p', workers: w }, meanLatency, aboveOnePart(`${label(w)}, mean latency`, 'ms', 'OpenFaaS', 'p2p')),
  );
}

export function judgeC4(profiles: readonly ProfileResult[]): Part[] {
  const expected = paper('p2p', 50).throughput / paper('p2p', 1).throughput;
  const overall = ratioPart(profiles, { system: 'p2p', workers: 50 }, { system: 'p2p', workers: 1 }, throughput, (r, a, b) =>
    judged(isAbout(r, expected), `p2p ${shown(b)} req/s at 1 worker, ${shown(a)} at 50: ×${shown(r)} against the paper's ×${num(expected)}, ${isAbout(r, expected) ? 'within' : 'outside'} the margins`),
  );
  // Every step between the worker counts the run has: none may fall (resolved).
  const counts = PAPER_WORKERS.filter((w) => 'runs' in profilesOf(profiles, 'p2p', w));
  const steps: Part[] = [];
  for (let i = 0; i + 1 < counts.length; i++) {
    const [from, to] = [counts[i]!, counts[i + 1]!];
    if (from === 1 && to === 50) continue; // the overall ratio above
    steps.push(
      ratioPart(profiles, { system: 'p2p', workers: to }, { system: 'p2p', workers: from }, throughput, (r) =>
        judged(!isBelow(r, 1), `${from} → ${to} workers ×${shown(r)}${isBelow(r, 1) ? ': falls' : ''}`),
      ),
    );
  }
  return [overall, ...steps];
}

const ERROR_FREE = 0.0025;

export function judgeC5(profiles: readonly ProfileResult[]): Part[] {
  return ['p2p', 'openfaas'].flatMap((system) =>
    [1, 5].map((w) => {
      const found = profilesOf(profiles, system, w);
      if ('missing' in found) return untestable(found.missing);
      const share = pooledErrorShare(found.runs);
      return judged(share <= ERROR_FREE, `${system} at ${label(w)}: ${pct(share)} errors${share <= ERROR_FREE ? '' : ` (above ${pct(ERROR_FREE)})`}`);
    }),
  );
}

export function judgeC10(profiles: readonly ProfileResult[]): Part[] {
  return [
    ratioPart(profiles, { system: 'openfaas', workers: 50 }, { system: 'openfaas', workers: 10 }, throughput, (r, a, b) =>
      judged(isBelow(r, 1), `OpenFaaS ${shown(b)} req/s at 10 workers, ${shown(a)} at 50: ×${shown(r)}, ${direction(r)} 1`),
    ),
    ratioPart(profiles, { system: 'p2p', workers: 50 }, { system: 'p2p', workers: 10 }, throughput, (r, a, b) =>
      judged(isAbove(r, 1), `p2p ${shown(b)} req/s at 10 workers, ${shown(a)} at 50: ×${shown(r)}, ${direction(r)} 1`),
    ),
  ];
}

/** workers ÷ req/s over the mean latency (s), per repetition: 1 when Little's law holds. */
const littleRatio = (p: ProfileResult) => p.workers / p.throughput / (p.latency.mean / 1000);

export function judgeC14(profiles: readonly ProfileResult[]): Part[] {
  return ['p2p', 'openfaas'].flatMap((system) =>
    PAPER_WORKERS.map((w) => {
      const found = profilesOf(profiles, system, w);
      if ('missing' in found) return untestable(found.missing);
      const empty = found.runs.find((p) => p.throughput === 0 || p.latency.count === 0);
      if (empty) return untestable(`${system} at ${label(w)} had no responses`);
      const r = measure(found.runs.map(littleRatio));
      const timeouts = found.runs.reduce((n, p) => n + p.errors.timeout, 0);
      const predicted = measure(found.runs.map((p) => (w * 1000) / p.throughput));
      const mean = measure(found.runs.map((p) => p.latency.mean));
      return judged(
        isAbout(r, 1),
        `${system} at ${label(w)}: workers ÷ req/s ${shown(predicted)} ms against a mean latency of ${shown(mean)} ms, ratio ${shown(r)}` +
          `${isAbout(r, 1) ? '' : ' (outside the margins)'}${timeouts ? `; ${timeouts} timed-out request${timeouts === 1 ? ' is' : 's are'} not in the mean` : ''}`,
      );
    }),
  );
}
