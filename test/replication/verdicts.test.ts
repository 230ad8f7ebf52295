import { describe, expect, it } from 'vitest';
import { CLAIM_IDS } from '../../harness/replication/claims.ts';
import { judgeClaims } from '../../harness/replication/verdicts.ts';
import { phasedRun, type PhasedProfileSpec } from '../../harness/report/synthetic-phases.ts';
import { paperLikeSpecs, profilesOf } from '../helpers/paper-like-run.ts';

describe('judgeClaims', () => {
  it('gives the fourteen claims in order, each citing the paper by section, table or figure and by line', () => {
    const verdicts = judgeClaims(profilesOf(paperLikeSpecs()));
    expect(verdicts.map((v) => v.id)).toEqual([...CLAIM_IDS]);
    for (const v of verdicts) {
      expect(Object.keys(v)).toEqual(['id', 'claim', 'source', 'status', 'evidence']);
      expect(v.source).toMatch(/(Table|Fig\.|§IV)/);
      expect(v.source).toMatch(/lines? \d+/);
    }
    // The run drawn to the paper's shape reproduces every claim.
    expect(verdicts.filter((v) => v.status !== 'reproduced').map((v) => `${v.id}: ${v.evidence}`)).toEqual([]);
  });

  it("judges what the default run (1, 5, 10, 50 workers × 30 s after a 5 s warm-up) can test, and says why it cannot test the rest", () => {
    // Steady, error-free profiles at the default run's rates (issue 22's table), Little's law holding.
    const rates: Record<string, number[]> = { p2p: [208.4, 216.4, 213.4, 203.3], openfaas: [47.7, 53.9, 55.3, 54.7] };
    const specs: PhasedProfileSpec[] = Object.entries(rates).flatMap(([system, list]) =>
      [1, 5, 10, 50].map((workers, i) => ({ system, workers, seconds: 30, warmupMs: 5000, rate: list[i]!, latencyMs: (workers * 1000) / list[i]!, hopMs: system === 'p2p' ? [0.4, 0.4, 0.4] : [3, 3, 3] })),
    );
    const verdicts = Object.fromEntries(judgeClaims(phasedRun('default-like', specs).profiles).map((v) => [v.id, v]));
    const status = Object.fromEntries(Object.entries(verdicts).map(([id, v]) => [id, v.status]));
    expect(status).toEqual({
      C1: 'reproduced',
      C2: 'not-reproduced',
      C3: 'reproduced',
      C4: 'not-reproduced',
      C5: 'reproduced',
      C6: 'untestable',
      C7: 'untestable',
      C8: 'untestable',
      C9: 'untestable',
      C10: 'not-reproduced',
      C11: 'reproduced',
      C12: 'not-reproduced',
      C13: 'not-reproduced',
      C14: 'reproduced',
    });
    expect(verdicts.C6!.evidence).toMatch(/has a 30 s window; .* needs at least 570 s \(this window: 0\.0 % errors\)/);
    expect(verdicts.C7!.evidence).toMatch(/has a 30 s window; .* needs at least 210 s/);
    expect(verdicts.C8!.evidence).toMatch(/has a 30 s window; .* needs at least 300 s/);
    expect(verdicts.C9!.evidence).toMatch(/has a 30 s window; .* needs at least 570 s.*has a 30 s window; .* needs at least 110 s/);
  });

  it('tests nothing on a synthetic chain: the claims are about the paper\'s dataflow', () => {
    const profiles = profilesOf(paperLikeSpecs());
    const synthetic = { length: 4, payloadBytes: 1024, workMs: 1, spec: 'chain:length=4,payload=1KB,work=1ms', body: { bytes: 1024, sha256: '0'.repeat(64) } };
    for (const p of profiles) p.manifest = { ...p.manifest, scenario: { ...p.manifest.scenario, synthetic } };
    const verdicts = judgeClaims(profiles);
    expect(new Set(verdicts.map((v) => `${v.status}: ${v.evidence}`))).toEqual(
      new Set(["untestable: this run's scenario is a synthetic chain (chain:length=4,payload=1KB,work=1ms), not the paper's smart-building dataflow"]),
    );
  });

  it('leaves every claim untestable on a run of p2p alone, most for want of OpenFaaS', () => {
    const verdicts = judgeClaims(phasedRun('p2p-only', [1, 2].map((workers) => ({ system: 'p2p', workers, seconds: 2, rate: 100, latencyMs: workers * 10 }))).profiles);
    expect(verdicts.every((v) => v.status === 'untestable')).toBe(true);
    expect(verdicts.filter((v) => /no openfaas profile in this run/.test(v.evidence)).map((v) => v.id)).toEqual(['C1', 'C2', 'C3', 'C5', 'C6', 'C7', 'C8', 'C10', 'C11', 'C12', 'C13', 'C14']);
    expect(verdicts.find((v) => v.id === 'C4')!.evidence).toMatch(/no p2p profile at 50 workers \(this run has p2p at 1, 2\)/);
  });
});
