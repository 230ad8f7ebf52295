/**
 * Issue 14, audit item 7: the gate compared a run with a baseline measured another way as long
 * as target, host size, duration, warm-up, keep-alive, rate and payload agreed: another load
 * driver, client timeout, scenario, open-loop schedule, fault schedule, OpenFaaS replicas or
 * timeouts, or link shaping went through. Each case here is a copy of the committed CI baseline
 * (a run folder the bench wrote, p2p and openfaas), its manifest changed the way the bench
 * writes that option, gated by the real gate (runGate reads both folders from disk).
 */
import { readFileSync } from 'node:fs';
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plannedFromOptions, plannedOf, incomparable } from '../../harness/gate/comparable.ts';
import { checkBaselineReadable, runGate } from '../../harness/gate/run-gate.ts';
import { parseThresholds } from '../../harness/gate/thresholds.ts';
import type { BenchOptions } from '../../harness/bench/options.ts';
import type { RunManifest } from '../../harness/results/schema.ts';
import { describeShaping } from '../../harness/targets/local/shaping.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { ExitCode } from '../../harness/errors.ts';

const RUN = '.ci/baseline';
/** The committed baseline's scenario hash, shortened as the gate prints it: read, not written
 * here, so regenerating the baseline does not break the test. */
const BASELINE_SCENARIO_SHA = (JSON.parse(readFileSync(path.join(RUN, 'manifest.json'), 'utf8')) as RunManifest).scenario.sha256.slice(0, 12);
const BOTH = parseThresholds('p2p.throughput[workers=10] >= 0.8 * baseline\nopenfaas.throughput[workers=10] >= 0.8 * baseline\n', 'both');
const P2P_ONLY = parseThresholds('p2p.throughput[workers=10] >= 0.8 * baseline\n', 'p2p');

type Edit = (m: RunManifest & { options: Record<string, unknown> }) => void;

/** A copy of the CI baseline with its manifest edited. */
async function copyRun(edit: Edit = () => {}): Promise<string> {
  const dir = path.join(tempDir('fogbench-cmp-'), 'run');
  await cp(RUN, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(file, 'utf8')) as RunManifest & { options: Record<string, unknown> };
  edit(manifest);
  await writeFile(file, JSON.stringify(manifest, null, 2));
  return dir;
}

/** The gate's refusal, or '' when it judged. */
async function refusal(run: string, baseline: string, checks = BOTH): Promise<string> {
  return runGate(run, baseline, checks).then(
    () => '',
    (e: Error) => e.message,
  );
}

const fault = { text: 'kill:get@5s', kind: 'kill', subject: 'get', atMs: 5000, durationMs: null };

describe('a baseline measured another way is refused, with the reason', () => {
  it('judges a copy of the same run', async () => {
    const { verdicts } = await runGate(await copyRun(), await copyRun(), BOTH);
    expect(verdicts.map((v) => v.passed)).toEqual([true, true]);
  });

  it.each<[string, Edit, RegExp]>([
    // Kept from before: target, host size, duration, keep-alive.
    ['another target', (m) => Object.assign(m.target, { kind: 'kube' }), /target fog vs kube/],
    ['another host size', (m) => Object.assign(m.host, { cpus: 4 }), /host cores 2 vs 4/],
    ['another duration', (m) => Object.assign(m.options, { durationMs: 30_000 }), /profile duration 10 s vs 30 s/],
    ['keep-alive on', (m) => Object.assign(m.options, { keepAlive: true }), /keep-alive off vs on/],
    // New.
    ['another load driver (--driver hey)', (m) => Object.assign(m.options, { driver: 'hey' }), /load driver fogbench-http vs hey/],
    ['another client timeout (--timeout 5s)', (m) => Object.assign(m.options, { timeoutMs: 5_000 }), /client timeout 20 s vs 5 s/],
    [
      'another scenario content under the same file name',
      (m) => Object.assign(m.scenario, { sha256: 'f'.repeat(64) }),
      new RegExp(`scenario scenarios/temperature\\.ts vs scenarios/temperature\\.ts \\(different contents: sha256 ${BASELINE_SCENARIO_SHA} vs ffffffffffff\\)`),
    ],
    ['another scenario config (the scenario\'s own)', (m) => Object.assign(m.scenario, { config: { window: '10' } }), /scenario config window=5 vs window=10/],
    ['another scenario config (--config window=10)', (m) => Object.assign(m.options, { config: { window: '10' } }), /scenario config window=5 vs window=10/],
    ['open loop (--rate 50)', (m) => Object.assign(m.options, { rate: 50, driver: 'fogbench-open-loop' }), /closed loop vs open loop at 50 req\/s/],
    ['a fault schedule (--fault kill:get@5s)', (m) => Object.assign(m.options, { faults: [fault] }), /faults none vs kill:get@5s/],
    ['other OpenFaaS replicas (--replicas 2)', (m) => Object.assign(m.options, { replicas: 2 }), /OpenFaaS replicas per function 1 vs 2/],
    [
      'another OpenFaaS function timeout (--function-timeout 30s)',
      (m) => {
        Object.assign(m.options, { openfaasTimeouts: { function: 30_000 } });
        Object.assign(m.systemDetails!.openfaas!, { timeouts: { gatewaySeconds: 60, functionSeconds: 30 } });
      },
      /OpenFaaS timeouts gateway 60 s, function 10 s vs gateway 60 s, function 30 s/,
    ],
    [
      'another link shaping (5 ms links, through the delay relay)',
      (m) => {
        for (const node of m.target.nodes) Object.assign(node.link!, { latencyMs: 5, shaping: 'tbf+relay' });
        m.target.shaping = describeShaping(
          m.target.nodes.map((n) => ({ node: n.name, link: { bandwidthMbit: 100, latencyMs: 5, jitterMs: 0 } as never })),
          'relay',
        );
      },
      /link shaping client: 100 mbit\/s, 0 ms \(tbf\) vs 100 mbit\/s, 5 ms \(tbf\+relay\); core: /,
    ],
    [
      'the same links, delayed another way (the shaping sentence alone differs)',
      (m) => {
        m.target.shaping = m.target.shaping.replace('(no link asked for latency)', '(this kernel has no netem: delayed links pass through a userspace relay)');
      },
      /link shaping ".*no link asked for latency.*" vs ".*userspace relay.*"/,
    ],
  ])('refuses a baseline with %s', async (_what, edit, reason) => {
    const why = await refusal(await copyRun(), await copyRun(edit));
    expect(why).toMatch(/^the baseline .* cannot be compared with this run: /);
    expect(why).toMatch(reason);
  });

  it('refuses a different open-loop schedule: arrivals, and the seed of a Poisson one', async () => {
    const open = (arrivals: string, seed: number): Edit => (m) => Object.assign(m.options, { rate: 50, driver: 'fogbench-open-loop', arrivals, seed });
    expect(await refusal(await copyRun(open('constant', 1)), await copyRun(open('poisson', 1)))).toMatch(/open-loop arrivals constant vs poisson/);
    expect(await refusal(await copyRun(open('poisson', 1)), await copyRun(open('poisson', 2)))).toMatch(/Poisson schedule seed 1 vs 2/);
    // A constant schedule does not use the seed.
    expect(await refusal(await copyRun(open('constant', 1)), await copyRun(open('constant', 2)))).toBe('');
  });

  it('does not refuse OpenFaaS replicas or timeouts when only p2p is checked', async () => {
    const other = await copyRun((m) => {
      Object.assign(m.options, { replicas: 2, openfaasTimeouts: { function: 30_000 } });
      Object.assign(m.systemDetails!.openfaas!, { timeouts: { gatewaySeconds: 60, functionSeconds: 30 } });
    });
    expect(await refusal(await copyRun(), other, P2P_ONLY)).toBe('');
  });

  it('reads a manifest from before --fault and the OpenFaaS timeout options as no faults and the default timeouts', async () => {
    const old = await copyRun((m) => {
      delete m.options.faults;
      delete m.options.openfaasTimeouts;
      delete m.systemDetails!.openfaas!.timeouts;
    });
    expect(await refusal(await copyRun(), old)).toBe('');
  });

  it('refuses, through the CLI, with exit 2 and every reason on one line', async () => {
    const other = await copyRun((m) => Object.assign(m.options, { driver: 'hey', timeoutMs: 5_000, faults: [fault] }));
    const thresholds = path.join(tempDir('fogbench-cmp-thr-'), 't.txt');
    await writeFile(thresholds, 'p2p.throughput[workers=10] >= 0.8 * baseline\n');
    const { code, stdout, stderr } = await runCli(['gate', '--run', RUN, '--baseline', other, '--thresholds', thresholds]);
    expect(code).toBe(ExitCode.usage);
    expect(stdout).not.toMatch(/PASS|FAIL/);
    expect(stderr.trim()).toMatch(/cannot be compared with this run: load driver fogbench-http vs hey; client timeout 20 s vs 5 s; faults none vs kill:get@5s; record a baseline/);
  }, 30_000);
});

describe('the plan of a bench, before it runs', () => {
  it('reads its options as the manifest records them, so the check before deploying agrees with the one after', async () => {
    const manifest = JSON.parse(await readFile(path.join(RUN, 'manifest.json'), 'utf8')) as RunManifest;
    const options = manifest.options as unknown as BenchOptions;
    const planned = plannedFromOptions(options, { hostCpus: manifest.host.cpus });
    expect(incomparable(planned, plannedOf(manifest), manifest.systems)).toEqual([]);
    const hey = plannedFromOptions({ ...options, driver: 'hey' }, { hostCpus: manifest.host.cpus });
    expect(incomparable(hey, plannedOf(manifest), manifest.systems)).toEqual(['load driver hey vs fogbench-http']);
    // As the bench calls it before deploying (checkBaselineReadable with a plan).
    await expect(checkBaselineReadable(BOTH, RUN, { ...planned, timeoutMs: 1_000 })).rejects.toThrow(/client timeout 1 s vs 20 s/);
    await expect(checkBaselineReadable(BOTH, RUN, planned)).resolves.toBeUndefined();
  });
});
