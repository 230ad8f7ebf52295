/**
 * The sweep's model against a scenario it was not fitted on, on profiles whose latency follows
 * the fog's links: each hop's bytes cost CPU time, and a tbf link passes a transfer at once up to
 * its bucket and at its rate beyond. Fitted on synthetic chains, the model predicts a scenario whose
 * data shrinks along the chain (the temperature scenario's shape) for a relaying and for an
 * orchestrated system; the model before answer paths and the burst did not.
 */
import { describe, expect, it } from 'vitest';
import { MIB } from '../../harness/metrics/cost-model.ts';
import { chainBodies, WIRE_BYTES_PER_BODY_BYTE, type AnswerPath, type PointBodies } from '../../harness/metrics/point-transfers.ts';
import { predictionRows, sweepFits, sweepRows, type PointInput } from '../../harness/metrics/sweep-analysis.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';

const BUCKET = 62_500;
/** ms per byte at 100 mbit/s. */
const RATE_MS = 1000 / 12.5e6;
const ANSWERS: Record<string, AnswerPath> = { relay: 'relayed', orchestrator: 'orchestrated' };

/** Latency of one request: per request, per hop, CPU per byte moved, and link time past each transfer's burst. */
function latency(bodies: PointBodies, answers: AnswerPath): number {
  const back = bodies.inputs.map((_, i) => (answers === 'relayed' ? bodies.response : (bodies.inputs[i + 1] ?? bodies.response)));
  const transfers = [bodies.request, bodies.response, ...bodies.inputs, ...back];
  const link = (bytes: number) => Math.max(0, bytes * WIRE_BYTES_PER_BODY_BYTE - BUCKET) * RATE_MS;
  const moved = transfers.reduce((s, b) => s + b, 0);
  return 2 + 1.5 * bodies.inputs.length + (30 * moved) / MIB + transfers.reduce((s, b) => s + link(b), 0);
}

function point(id: string, bodies: PointBodies, payloadBytes: number | null, known = true): PointInput {
  const { profiles } = syntheticRun({ runId: id, systems: Object.keys(ANSWERS), workers: [1], seconds: 5 });
  return {
    id,
    length: bodies.inputs.length,
    clientBytes: (bodies.request + bodies.response) / 2,
    hopBytes: bodies.inputs.reduce((s, b) => s + b, 0),
    payloadBytes,
    ...(known ? { bodies, answers: ANSWERS, bucketBytes: BUCKET } : {}),
    profiles: profiles.map((p): ProfileResult => ({ ...p, latencyOk: { ...p.latencyOk, mean: latency(bodies, ANSWERS[p.system]!) } })),
  };
}

const chains = (payloads: number[], known = true) => [1, 2, 4, 8].flatMap((l) => payloads.map((p) => point(`length-${l}_payload-${p}`, chainBodies(l, p), p, known)));
const temperature = { request: 47_000, response: 1_300, inputs: [47_000, 47_000, 3_300, 3_900] };

describe('sweep prediction', () => {
  it('predicts the scenario for a relaying and an orchestrated system from chains of 1 KB, 64 KB and 1 MB', () => {
    const fits = sweepFits(sweepRows(chains([1024, 65_536, MIB])));
    const rows = predictionRows(fits, point('predict-temperature', temperature, null)).filter((r) => r.metric === 'latency');
    expect(rows.map((r) => r.system).sort()).toEqual(['orchestrator', 'relay']);
    for (const r of rows) expect(Math.abs(r.error), r.system).toBeLessThan(0.01);
  });

  it('over-predicted it without answer paths and the burst (every hop\'s input counted both ways, per-byte terms straight through 1 MB)', () => {
    const fits = sweepFits(sweepRows(chains([1024, 65_536, MIB], false)));
    const relay = predictionRows(fits, point('predict-temperature', temperature, null, false)).find((r) => r.system === 'relay' && r.metric === 'latency')!;
    expect(relay.error).toBeGreaterThan(0.3);
  });

  it('fits no term past the burst when no point sends most of its bytes there', () => {
    const fits = sweepFits(sweepRows(chains([1024, 65_536])));
    const fit = fits.find((f) => f.system === 'relay' && f.metric === 'latency')!.fit!;
    expect(fit.omitted.map((o) => o.name)).toContain('perShapedByte');
    expect(fit.n).toBe(8);
  });

  it('compares the prediction with the mean of the scenario\'s runs, each run listed', () => {
    const fits = sweepFits(sweepRows(chains([1024, 65_536, MIB])));
    const once = point('predict-temperature', temperature, null);
    // The same scenario run twice: 20 % under the model, then 20 % over it.
    const twice: PointInput = {
      ...once,
      profiles: [0.8, 1.2].flatMap((factor, i) => once.profiles.map((p) => ({ ...p, repetition: i + 1, latencyOk: { ...p.latencyOk, mean: p.latencyOk.mean * factor } }))),
    };
    const single = predictionRows(fits, once).find((r) => r.system === 'relay' && r.metric === 'latency')!;
    const relay = predictionRows(fits, twice).filter((r) => r.system === 'relay' && r.metric === 'latency');
    expect(relay).toHaveLength(1);
    expect(relay[0]!.repetitions).toEqual([single.measured * 0.8, single.measured * 1.2].map((v) => expect.closeTo(v, 9)));
    expect(relay[0]!.measured).toBeCloseTo(single.measured, 9);
    expect(Math.abs(relay[0]!.error)).toBeLessThan(0.01);
  });

  it('predicts nothing from a fit of too few points for the scenario\'s terms', () => {
    const fits = sweepFits(sweepRows([point('length-1_payload-1024', chainBodies(1, 1024), 1024)]));
    expect(predictionRows(fits, point('predict-temperature', temperature, null))).toEqual([]);
  });
});
