/**
 * A synthetic run shaped like the paper's (Tables I–IV, figures 7–12): every claim of
 * harness/replication/claims.ts holds in it, so a test changes one profile to make one claim
 * fail or become untestable, and sees that verdict move alone. Its figures are written from
 * the paper's tables and text; where the tables contradict one another (OpenFaaS at 10 workers
 * cannot have 94 % errors, 5.18 req/s and an onset at 90 s at once), the shape follows the text.
 */
import { phasedRun, type PhasedProfileSpec } from '../../harness/report/synthetic-phases.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

export type Specs = Record<string, PhasedProfileSpec>;

const W = 600;
const gatewayCrash = (t: number) => [
  { t, kind: 'exit' as const, subject: 'gateway', detail: 'exited with code 2' },
  { t: t + 10, kind: 'restart' as const, subject: 'gateway', detail: 'restart #1' },
  { t: t + 14, kind: 'ready' as const, subject: 'gateway', detail: 'readiness passed' },
];

/** Key `p2p-w10`, `openfaas-w50`, ... */
export function paperLikeSpecs(): Specs {
  const specs: PhasedProfileSpec[] = [
    { system: 'p2p', workers: 1, seconds: W, phases: [{ from: 0, to: W, rate: 2.04, errorShare: 0.0025, errorClass: 'envelope', latencyMs: 490 }] },
    { system: 'p2p', workers: 5, seconds: W, rate: 3.67, latencyMs: 1362 },
    { system: 'p2p', workers: 10, seconds: W, rate: 4.59, latencyMs: 2179, hopMs: [10, 10, 10] },
    {
      system: 'p2p',
      workers: 50,
      seconds: W,
      // Everything refused for the first 40 s, then a share of overflow: 18.8 % of all requests.
      phases: [
        { from: 0, to: 40, rate: 20, errorShare: 1, errorClass: 'refused', latencyMs: 1 },
        { from: 40, to: W, rate: 7.44, errorShare: 0.032, errorClass: 'envelope', latencyMs: 6040 },
      ],
      hopMs: [10, 10, 10],
    },
    { system: 'openfaas', workers: 1, seconds: W, rate: 1.35, latencyMs: 741 },
    { system: 'openfaas', workers: 5, seconds: W, rate: 2.2, latencyMs: 2273 },
    {
      system: 'openfaas',
      workers: 10,
      seconds: W,
      // Working for 90 s, then fast errors that never stop (figure 7).
      phases: [
        { from: 0, to: 90, rate: 2, latencyMs: 5000 },
        { from: 90, to: W, rate: 10, errorShare: 0.99, errorClass: 'http5xx', latencyMs: 1000 },
      ],
      hopMs: [12.5, 40, 40],
    },
    {
      system: 'openfaas',
      workers: 50,
      seconds: W,
      // Error answers at about the deadline, and the gateway crashing at 230, 480 and 550 s (figure 9).
      phases: [{ from: 0, to: W, rate: 3.49, errorShare: 0.99, errorClass: 'http5xx', latencyMs: 14_330 }],
      events: [...gatewayCrash(230), ...gatewayCrash(480), ...gatewayCrash(550)],
      hopMs: [40, 80, 80],
    },
  ];
  return Object.fromEntries(specs.map((s) => [`${s.system}-w${s.workers}`, s]));
}

/** The profiles of these specs (all, or as changed by `edit`). */
export function profilesOf(specs: Specs, edit?: (specs: Specs) => void): ProfileResult[] {
  const copy: Specs = structuredClone(specs);
  edit?.(copy);
  return phasedRun('paper-like', Object.values(copy)).profiles;
}
