/**
 * The claims about the time between services (figures 11–12 and the text of §IV.D–E): one
 * function's end to the next one's start, per hop of the chain, compared by medians.
 */
import type { ProfileResult } from '../results/schema.ts';
import { direction, isAbout, isAbove, judged, measure, measureRatio, profilesOf, shown, untestable, VERDICT_RULES, type Measured, type Part } from './verdict-rules.ts';

const hopName = (from: string, to: string) => `${from} → ${to}`;

/** The chain's hops, from the route the run recorded. */
function hopsOf(runs: readonly ProfileResult[]): [string, string][] {
  const route = runs[0]!.manifest.scenario.route;
  return route.slice(1).map((to, i) => [route[i]!, to]);
}

/** Each repetition's median gap on one hop (ms), or why it cannot be used. */
function hopMedians(runs: readonly ProfileResult[], from: string, to: string): number[] | string {
  const medians: number[] = [];
  for (const p of runs) {
    const hop = p.hops.find((h) => h.from === from && h.to === to);
    const count = hop?.count ?? 0;
    if (!hop || count < VERDICT_RULES.minHopGaps) {
      return `${p.system} at ${p.workers} workers has ${count} gaps on ${hopName(from, to)} (a median needs ${VERDICT_RULES.minHopGaps}${hop?.failed ? `; ${hop.failed} requests failed before it` : ''})`;
    }
    medians.push(hop.p50);
  }
  return medians;
}

/** Both systems at `workers`, or the parts saying what is missing (one each, so the verdict says each once). */
function bothAt(profiles: readonly ProfileResult[], workers: number): { p2p: ProfileResult[]; openfaas: ProfileResult[] } | Part[] {
  const p2p = profilesOf(profiles, 'p2p', workers);
  const openfaas = profilesOf(profiles, 'openfaas', workers);
  if ('missing' in p2p || 'missing' in openfaas) return [p2p, openfaas].flatMap((x) => ('missing' in x ? [untestable(x.missing)] : []));
  return { p2p: p2p.runs, openfaas: openfaas.runs };
}

const ms = (m: Measured) => `${shown(m)} ms`;

export function judgeC11(profiles: readonly ProfileResult[]): Part[] {
  return [10, 50].flatMap((w) => {
    const both = bothAt(profiles, w);
    if (Array.isArray(both)) return both;
    return hopsOf(both.p2p).map(([from, to]) => {
      const p2p = hopMedians(both.p2p, from, to);
      const openfaas = hopMedians(both.openfaas, from, to);
      if (typeof p2p === 'string') return untestable(p2p);
      if (typeof openfaas === 'string') return untestable(openfaas);
      const r = measureRatio(openfaas, p2p);
      if (!r) return untestable(`p2p's median on ${hopName(from, to)} at ${w} workers is 0 ms`);
      return judged(isAbove(r, 1), `${w} workers, ${hopName(from, to)}: p2p ${ms(measure(p2p))}, OpenFaaS ${ms(measure(openfaas))}, OpenFaaS/p2p ${shown(r)}, ${direction(r)} 1`);
    });
  });
}

/** Each repetition's time between services over the whole chain: the sum of its hops' medians. */
function chainTotals(runs: readonly ProfileResult[]): number[] | string {
  const totals = runs.map(() => 0);
  for (const [from, to] of hopsOf(runs)) {
    const medians = hopMedians(runs, from, to);
    if (typeof medians === 'string') return medians;
    medians.forEach((m, i) => (totals[i]! += m));
  }
  return totals;
}

export function judgeC12(profiles: readonly ProfileResult[]): Part[] {
  // Each system's half on its own: one system missing a profile leaves the other's judged.
  return (['p2p', 'openfaas'] as const).flatMap((system) => {
    const low = profilesOf(profiles, system, 10);
    const high = profilesOf(profiles, system, 50);
    if ('missing' in low || 'missing' in high) return [low, high].flatMap((x) => ('missing' in x ? [untestable(x.missing)] : []));
    const at10 = chainTotals(low.runs);
    const at50 = chainTotals(high.runs);
    if (typeof at10 === 'string') return [untestable(at10)];
    if (typeof at50 === 'string') return [untestable(at50)];
    const r = measureRatio(at50, at10);
    if (!r) return [untestable(`${system}'s time between services at 10 workers is 0 ms`)];
    const text = `${system}: time between services over the chain ${ms(measure(at10))} at 10 workers, ${ms(measure(at50))} at 50, ×${shown(r)}`;
    // p2p's "does not significantly increase": no rise resolved; OpenFaaS's "does": a rise resolved.
    return [system === 'p2p' ? judged(!isAbove(r, 1), `${text}${isAbove(r, 1) ? ', a rise' : ', no rise resolved'}`) : judged(isAbove(r, 1), `${text}, ${isAbove(r, 1) ? 'a rise' : 'no rise resolved'}`)];
  });
}

export function judgeC13(profiles: readonly ProfileResult[]): Part[] {
  const both = bothAt(profiles, 10);
  if (Array.isArray(both)) return both;
  const [from, to] = hopsOf(both.p2p)[0] ?? [];
  if (!from || !to) return [untestable('the scenario has a single service: no hop')];
  const p2p = hopMedians(both.p2p, from, to);
  const openfaas = hopMedians(both.openfaas, from, to);
  if (typeof p2p === 'string') return [untestable(p2p)];
  if (typeof openfaas === 'string') return [untestable(openfaas)];
  const r = measureRatio(openfaas, p2p);
  if (!r) return [untestable(`p2p's median on ${hopName(from, to)} is 0 ms`)];
  return [judged(isAbout(r, 1), `10 workers, ${hopName(from, to)}: p2p ${ms(measure(p2p))}, OpenFaaS ${ms(measure(openfaas))}, OpenFaaS/p2p ${shown(r)}${isAbout(r, 1) ? ', about equal' : ', outside the margins of equal'}`)];
}
