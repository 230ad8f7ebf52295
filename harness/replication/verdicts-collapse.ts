/**
 * The claims about how the systems broke (Table I's high error rates, figures 7, 9 and 10):
 * judged from the timeline facts of each repetition, on windows long enough for what the paper
 * saw to show, and always saying which mechanism produced the failures.
 */
import { paperReference } from '../report/paper-reference.ts';
import type { ProfileResult } from '../results/schema.ts';
import { EPISODE_RULES } from './error-episodes.ts';
import { incidentList, timelineFacts, type TimelineFacts } from './timeline-facts.ts';
import {
  aboutSeconds,
  isAbout,
  judged,
  measure,
  num,
  paperWindowS,
  pct,
  pooledErrorShare,
  profilesOf,
  shown,
  untestable,
  VERDICT_RULES,
  windowTooShort,
  type Part,
} from './verdict-rules.ts';

/** What the paper's text says (§IV.C): the onset at 10 workers, the gateway's crashes and p2p's first rejections at 50. */
export const PAPER_TIMELINE = { onsetS: 90, gatewayCrashes: 3, rejectionS: 40 } as const;

const runLabel = (p: ProfileResult, runs: readonly ProfileResult[]) => `${p.system} at ${p.workers} workers${runs.length > 1 ? ` (run ${p.repetition})` : ''}`;
const secondsText = (t: number) => `${Math.round(t)} s`;

/** Where a part needs these profiles with windows of at least `needS` s: them, or why not. */
function withWindow(profiles: readonly ProfileResult[], system: string, workers: number, needS: number, what: string): ProfileResult[] | Part {
  const found = profilesOf(profiles, system, workers);
  if ('missing' in found) return untestable(found.missing);
  const short = windowTooShort(found.runs, needS, what);
  if (short) {
    const seen = found.runs.map((p) => pct(p.errorRate)).join(', ');
    return untestable(`${short} (this window: ${seen} errors)`);
  }
  return found.runs;
}

const failuresOf = (f: TimelineFacts) => (f.failures.failures ? `; ${f.mechanism}` : '');
/** Each repetition's failure mechanisms. */
const mechanismsOf = (runs: readonly ProfileResult[]) => runs.map((p) => `${runs.length > 1 ? `run ${p.repetition}: ` : ''}${timelineFacts(p).mechanism}`).join(' | ');

export function judgeC6(profiles: readonly ProfileResult[]): Part[] {
  return [10, 50].map((w) => {
    const runs = withWindow(profiles, 'openfaas', w, paperWindowS(), "Table I's error rate (a whole 10-minute window, collapse included)");
    if (!Array.isArray(runs)) return runs;
    const share = pooledErrorShare(runs);
    return judged(share > 0.9, `OpenFaaS at ${w} workers: ${pct(share)} errors${share > 0.9 ? '' : ' (not above 90 %)'}; ${mechanismsOf(runs)}`);
  });
}

export function judgeC7(profiles: readonly ProfileResult[]): Part[] {
  const about = aboutSeconds(PAPER_TIMELINE.onsetS);
  // The latest onset accepted, and the stretch that must follow it.
  const runs = withWindow(profiles, 'openfaas', 10, about.hi + EPISODE_RULES.sustainS, `an onset of about ${PAPER_TIMELINE.onsetS} s (${about.lo}–${about.hi} s) followed by ${EPISODE_RULES.sustainS} s`);
  if (!Array.isArray(runs)) return [runs];
  return runs.map((p) => {
    const f = timelineFacts(p);
    const e = f.episodes;
    const name = runLabel(p, runs);
    if (e.onset === null) return judged(false, `${name}: errors never stayed above half for ${EPISODE_RULES.sustainS} s (${pct(p.errorRate)} errors in ${secondsText(f.windowSeconds)})${failuresOf(f)}`);
    // Timed from the load's start, as the paper's run had no warm-up.
    const onset = e.onset + f.warmupSeconds;
    const inTime = onset >= about.lo && onset <= about.hi;
    const warm = f.warmupSeconds ? ` (${secondsText(e.onset)} into the window after a ${+f.warmupSeconds.toFixed(1)} s warm-up)` : '';
    const recovery = e.recovery === null ? `no recovery in the ${secondsText(f.windowSeconds)} window` : `recovered at ${secondsText(e.recovery)}`;
    return judged(
      inTime && e.recovery === null,
      `${name}: errors took over at ${secondsText(onset)}${warm}${inTime ? '' : `, outside ${about.lo}–${about.hi} s`}, ${recovery}${failuresOf(f)}`,
    );
  });
}

export function judgeC8(profiles: readonly ProfileResult[]): Part[] {
  // Long enough to expect restarts: half the paper's window, where its rate gives 1.5 (its first came at 230 s).
  const needS = VERDICT_RULES.paperWindowS / 2;
  const openfaas = withWindow(profiles, 'openfaas', 50, needS, 'expecting gateway restarts at the paper\'s rate (3 in 600 s)');
  const p2p = withWindow(profiles, 'p2p', 50, needS, 'showing that p2p services do not restart over as long a window');
  const parts: Part[] = [];
  if (!Array.isArray(openfaas)) parts.push(openfaas);
  else {
    for (const p of openfaas) {
      const f = timelineFacts(p);
      const expected = (PAPER_TIMELINE.gatewayCrashes * f.windowSeconds) / VERDICT_RULES.paperWindowS;
      const lo = Math.max(1, Math.ceil(expected / VERDICT_RULES.timeFactor));
      const hi = Math.floor(expected * VERDICT_RULES.timeFactor);
      const crashes = f.incidents.byRole.gateway.crashes;
      parts.push(
        judged(
          crashes >= lo && crashes <= hi,
          `${runLabel(p, openfaas)}: the gateway crashed ${crashes} time${crashes === 1 ? '' : 's'} (${incidentList(f, 'gateway')}); the paper's rate gives ${num(expected, 1)} in ${secondsText(f.windowSeconds)}, accepted ${lo}–${hi}; functions: ${incidentList(f, 'function')}${failuresOf(f)}`,
        ),
      );
    }
  }
  if (!Array.isArray(p2p)) parts.push(p2p);
  else {
    for (const p of p2p) {
      const f = timelineFacts(p);
      const services = f.incidents.byRole.service;
      const broke = services.crashes + services.oomKills + services.evictions;
      parts.push(judged(broke === 0, `${runLabel(p, p2p)}: services ${broke === 0 ? 'did not crash' : `crashed (${incidentList(f, 'service')})`}`));
    }
  }
  return parts;
}

export function judgeC9(profiles: readonly ProfileResult[]): Part[] {
  const parts: Part[] = [];
  const expected = paperReference('p2p', 50)!.errorRate;
  const whole = withWindow(profiles, 'p2p', 50, paperWindowS(), "Table I's error rate (a whole 10-minute window, the first rejections included)");
  if (!Array.isArray(whole)) parts.push(whole);
  else {
    const share = measure(whole.map((p) => p.errorRate));
    parts.push(judged(isAbout(share, expected), `p2p at 50 workers: ${shown(share, pct)} errors against the paper's ${pct(expected)}${isAbout(share, expected) ? '' : ' (outside the margins)'}; ${mechanismsOf(whole)}`));
  }
  const about = aboutSeconds(PAPER_TIMELINE.rejectionS);
  const start = withWindow(profiles, 'p2p', 50, about.hi + EPISODE_RULES.sustainS, `rejections for about ${PAPER_TIMELINE.rejectionS} s (${about.lo}–${about.hi} s) and what follows`);
  if (!Array.isArray(start)) return [...parts, start];
  for (const p of start) {
    const f = timelineFacts(p);
    const name = runLabel(p, start);
    // The paper's first 40 s are the load's first: a warm-up hides them.
    if (f.warmupSeconds > 0) {
      parts.push(untestable(`${name}: its window opened after a ${+f.warmupSeconds.toFixed(1)} s warm-up, so the load's first seconds are not in it (run with --warmup 0)`));
      continue;
    }
    const e = f.episodes;
    if (e.onset === null || !e.fromStart) {
      parts.push(judged(false, `${name}: ${e.onset === null ? 'errors never stayed above half for 30 s' : `errors took over only at ${secondsText(e.onset)}, after successful responses`}${failuresOf(f)}`));
      continue;
    }
    const length = e.failingUntil ?? f.windowSeconds;
    const inTime = length >= about.lo && length <= about.hi;
    parts.push(
      judged(
        inTime,
        `${name}: errors above half from the start for ${secondsText(length)}${e.failingUntil === null ? ' (the whole window)' : ''}${inTime ? '' : `, outside ${about.lo}–${about.hi} s`}${failuresOf(f)}`,
      ),
    );
  }
  return parts;
}
