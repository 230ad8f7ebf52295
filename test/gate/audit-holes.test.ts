/**
 * Issue 14, audit item 7: holes in the regression gate, each on real run folders through the
 * real CLI where the exit code matters. The empty run is made by the bench itself (an open loop
 * at 0.0001 req/s sends nothing in 2 s), as the audit made it; the others are copies of the
 * committed gate-baseline fixture, edited the way the audit edited them.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../harness/errors.ts';
import { evaluate } from '../../harness/gate/evaluate.ts';
import { parseCheck } from '../../harness/gate/thresholds.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const BASELINE = 'test/fixtures/runs/gate-baseline';

async function thresholds(text: string | Buffer): Promise<string> {
  const file = path.join(tempDir('fogbench-thr-'), 'thresholds.txt');
  await writeFile(file, text);
  return file;
}

/** A copy of the gate-baseline fixture, `edit` applied to the named profile file. */
async function copyOf(src = BASELINE, edit?: { file: string; change: (p: Record<string, unknown>) => void }): Promise<string> {
  const dir = path.join(tempDir('fogbench-holes-'), 'run');
  await cp(src, dir, { recursive: true });
  if (edit) {
    const full = path.join(dir, 'profiles', edit.file);
    const p = JSON.parse(await readFile(full, 'utf8')) as Record<string, unknown>;
    edit.change(p);
    await writeFile(full, JSON.stringify(p));
  }
  return dir;
}

const gate = (args: string[]) => runCli(['gate', ...args]);

/** The bench options the empty run was made with: a baseline check before the bench compares them. */
const EMPTY_BENCH = ['--rate', '0.0001', '--arrivals', 'poisson', '--workers', '1,2', '--duration', '2s', '--warmup', '0s', '--cooldown', '0s', '--systems', 'p2p', '--target', 'loopback', '--no-report'];

describe('a profile with no responses', () => {
  let empty = '';
  let benchStdout = '';
  beforeAll(async () => {
    const runs = tempDir('fogbench-empty-');
    const { code, stdout, stderr } = await runCli(['bench', ...EMPTY_BENCH, '--runs-dir', runs, '--run-id', 'empty']);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    empty = path.join(runs, 'empty');
    benchStdout = stdout;
    const p = JSON.parse(await readFile(path.join(empty, 'profiles', 'p2p-w1.json'), 'utf8')) as ProfileResult;
    expect(p.requests).toBe(0);
  }, 120_000);

  it('shows "-" for its latency in the bench summary, not 0.00', () => {
    const row = benchStdout.split('\n').find((l) => /^p2p\s+1\s/.test(l))!;
    // system, workers, requests, req/s, ok req/s, then mean, p50, p90, p99.
    expect(row.trim().split(/\s+/).slice(5, 9)).toEqual(['-', '-', '-', '-']);
    expect(benchStdout).toMatch(/^open loop p2p w1: .* p99 - ms, from the actual send p99 - ms$/m);
  });

  // On the audit's commit these three PASSed (latency 0 <= 5 ms, error rate 0/0 <= 0 %).
  it('fails latency, latencyWithTimeouts and errorRate checks on it, saying it has no responses (exit 5), never a PASS', async () => {
    const file = await thresholds(
      'p2p.latency.p99[workers=1] <= 5ms\np2p.latencyWithTimeouts.p99[workers=1] <= 5ms\np2p.errorRate[workers=1] <= 0%\np2p.latencyOk.p50[workers=2] <= baseline * 2\n',
    );
    const { code, stdout } = await gate(['--run', empty, '--baseline', empty, '--thresholds', file]);
    expect(stdout).not.toMatch(/^PASS/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.latency\.p99\[workers=1\] <= 5ms {2}— the run's p2p profile at 1 workers has no responses \(0 completed of 0 requests\): no latency$/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.latencyWithTimeouts\.p99\[workers=1\] <= 5ms {2}— .* has no responses and no timed-out, cut-off or unsent requests/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.errorRate\[workers=1\] <= 0% {2}— the run's p2p profile at 1 workers has no requests \(0 sent\): no error rate$/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.latencyOk\.p50\[workers=2\] .* has no responses that succeeded/m);
    expect(stdout).toMatch(/4 of 4 checks failed/);
    expect(code).toBe(ExitCode.regression);
  }, 30_000);

  // On the audit's commit the bench ran every profile, then failed (exit 5) "the baseline has no complete p2p profile".
  it('bench: refuses a baseline missing a worker count it will run, before running anything (exit 2)', async () => {
    const baseline = await copyOf(empty);
    await rm(path.join(baseline, 'profiles', 'p2p-w1.json'));
    const runs = path.join(tempDir('fogbench-runs-'), 'runs');
    const file = await thresholds('p2p.throughput[workers=1] >= 0.9 * baseline\np2p.throughput[workers=2] >= 0.9 * baseline\n');
    const { code, stdout, stderr } = await runCli(['bench', ...EMPTY_BENCH, '--runs-dir', runs, '--thresholds', file, '--baseline', baseline]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr.trim()).toMatch(/^fogbench: the baseline .* has no complete profile for p2p at 1 workers, which this run will have/);
    expect(stderr).not.toMatch(/deploying|fogbench run /);
    expect(stdout).toBe('');
    expect(existsSync(runs)).toBe(false);
    // The gate refuses it the same way, as it does a baseline missing a system.
    const judged = await gate(['--run', empty, '--baseline', baseline, '--thresholds', file]);
    expect(judged.code).toBe(ExitCode.usage);
    expect(judged.stderr).toMatch(/has no complete profile for p2p at 1 workers, which this run has/);
  }, 60_000);
});

describe('evaluate: empty profiles and negative limits', () => {
  const base = (over: Partial<ProfileResult>): ProfileResult =>
    ({ system: 'p2p', workers: 1, repetition: 1, interrupted: false, requests: 10, ok: 10, errorRate: 0, throughput: 5, latency: { count: 10, p99: 4 }, latencyOk: { count: 10, p99: 4 }, client: { limited: false }, ...over }) as unknown as ProfileResult;
  const nothing = base({ requests: 0, ok: 0, latency: { count: 0, p99: 0 } as ProfileResult['latency'], latencyOk: { count: 0, p99: 0 } as ProfileResult['latencyOk'] });

  it('a baseline profile with no responses is no reference for a latency check', () => {
    const [v] = evaluate([parseCheck('p2p.latency.p99[workers=1] <= baseline * 2', 1, 't')], [base({})], [[nothing]]);
    expect(v).toMatchObject({ passed: false, problem: expect.stringMatching(/^the baseline's p2p profile at 1 workers has no responses/) });
  });

  it('a profile whose every request timed out has no latency, but its latencyWithTimeouts counts them (and fails a ceiling)', () => {
    const timedOut = { ...nothing, requests: 3, latencyWithTimeouts: { count: 3, p99: 20_000, censored: 3 } } as unknown as ProfileResult;
    const [latency, withTimeouts] = evaluate(
      [parseCheck('p2p.latency.p99[workers=1] <= 5s', 1, 't'), parseCheck('p2p.latencyWithTimeouts.p99[workers=1] <= 5s', 2, 't')],
      [timedOut],
      null,
    );
    expect(latency).toMatchObject({ passed: false, problem: expect.stringMatching(/has no responses \(0 completed of 3 requests\)/) });
    expect(withTimeouts).toMatchObject({ passed: false, actual: 20_000, limit: 5_000 });
    expect(withTimeouts!.problem).toBeUndefined();
  });

  it('a repetition with no responses is not averaged in as 0 ms', () => {
    const [v] = evaluate([parseCheck('p2p.latency.p99[workers=1] <= 5ms', 1, 't')], [base({}), { ...nothing, repetition: 2 }], null);
    expect(v).toMatchObject({ passed: false, problem: expect.stringMatching(/\(repetition 2\) has no responses/) });
  });
});

describe('fogbench gate refuses', () => {
  // On the audit's commit both passed (exit 0): with only absolute checks the path was never read.
  it.each(['--baseline', '--reference'])('a %s that does not exist, or is no run folder, with only absolute checks (exit 2)', async (option) => {
    const file = await thresholds('p2p.errorRate[workers=1] <= 1%\n');
    const missing = await gate(['--run', BASELINE, option, '/nonexistent/run', '--thresholds', file]);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stdout).not.toMatch(/PASS|FAIL/);
    expect(missing.stderr.trim()).toBe(`fogbench: the ${option.slice(2)} /nonexistent/run does not exist`);
    const notRun = await gate(['--run', BASELINE, option, tempDir('fogbench-notrun-'), '--thresholds', file]);
    expect(notRun.code).toBe(ExitCode.usage);
    expect(notRun.stderr).toMatch(/is neither a run folder nor a folder of run folders/);
  }, 30_000);

  it('a bound of 400 digits (Infinity), as it refuses 1e400ms; and absolute bounds that can never hold', async () => {
    for (const [line, message] of [
      [`p2p.latency.p99[workers=1] <= ${'9'.repeat(400)}ms`, /:1: 9{24}… is too large to be a limit/],
      [`p2p.throughput[workers=1] >= ${'9'.repeat(400)} * baseline`, /is too large to be a factor/],
      ['p2p.latency.p99[workers=1] <= 1e400ms', /is not a number/],
      ['p2p.errorRate[workers=1] <= -5%', /a negative limit can never hold \(an error rate is never below 0 %\)/],
      ['p2p.latency.p50[workers=1] <= -1ms', /a negative limit can never hold \(a latency is never below 0 ms\)/],
    ] as const) {
      const { code, stdout, stderr } = await gate(['--run', BASELINE, '--baseline', BASELINE, '--thresholds', await thresholds(`${line}\n`)]);
      expect(code, line).toBe(ExitCode.usage);
      expect(stdout).toBe('');
      expect(stderr, line).toMatch(message);
    }
  }, 60_000);

  it('a binary thresholds file, in one printable line that echoes none of its raw bytes', async () => {
    const bytes = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\x00'), Buffer.from('\x1b[2J\x1b]0;owned\x07\r'), Buffer.alloc(2000, 0xff), Buffer.from('\nmore\n')]);
    const { code, stderr } = await gate(['--run', BASELINE, '--thresholds', await thresholds(bytes)]);
    expect(code).toBe(ExitCode.usage);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/thresholds\.txt:1: not a text file \("\\x7fELF\\x02\\x01\\x01\\x00.*…"\)/);
    // No control character, no replacement character, and not the whole file.
    expect(lines[0]).not.toMatch(/[\x00-\x1f\x7f-\x9f\ufffd]/);
    expect(lines[0]!.length).toBeLessThan(300);
  }, 30_000);
});

describe('fogbench gate on its own inputs', () => {
  // On the audit's commit: "PASS ... -99996.03 ms" with no word on why.
  it('fails a relative check whose computed limit is below zero, with a note saying the bound is wrong (exit 5)', async () => {
    const file = await thresholds('p2p.latency.p50[workers=1] <= baseline - 100s\np2p.throughput[workers=1] >= baseline - 1000\n');
    const { code, stdout } = await gate(['--run', BASELINE, '--baseline', BASELINE, '--thresholds', file]);
    expect(stdout).toMatch(/^FAIL {2}p2p\.latency\.p50\[workers=1\] <= baseline - 100s {2}— the limit -99995\.\d\d ms \(baseline 4\.\d\d ms - 100000\.00 ms\) is below zero, where latency\.p50 never is: no run can meet it\. The bound is wrong, not the run/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.throughput\[workers=1\] >= baseline - 1000 {2}— the limit -\d+\.\d\d req\/s .* every run meets it\. The bound is wrong/m);
    expect(code).toBe(ExitCode.regression);
  }, 30_000);

  // On the audit's commit: no note at all.
  it('says loudly when the baseline or the reference is the run itself, or a copy of it', async () => {
    const file = await thresholds('p2p.throughput[workers=1] >= 0.9 * baseline\n');
    const same = await gate(['--run', BASELINE, '--baseline', BASELINE, '--reference', `${BASELINE}/`, '--thresholds', file]);
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/^NOTE: the baseline test\/fixtures\/runs\/gate-baseline is this run itself: its relative checks compare the run with itself and pass by construction/m);
    expect(same.stdout).toMatch(/^NOTE: the reference test\/fixtures\/runs\/gate-baseline\/ is this run itself/m);
    const copy = await gate(['--run', BASELINE, '--baseline', await copyOf(), '--thresholds', file]);
    expect(copy.stdout).toMatch(/^NOTE: the baseline .* has this run's id and start time \(ci-baseline, .*\): a copy of this run\?/m);
    const other = await copyOf(BASELINE);
    const manifest = JSON.parse(await readFile(path.join(other, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(other, 'manifest.json'), JSON.stringify({ ...manifest, runId: 'another-night', createdAt: '2026-11-23T22:31:01.614Z' }));
    expect((await gate(['--run', BASELINE, '--baseline', other, '--thresholds', file])).stdout).not.toMatch(/NOTE/);
  }, 30_000);

  // On the audit's commit the copy was read as a second repetition and averaged in.
  it('reads only the profile files the manifest names: a stray copy is ignored, and said so', async () => {
    const stray = await copyOf();
    const w1 = JSON.parse(await readFile(path.join(stray, 'profiles', 'p2p-w1.json'), 'utf8')) as ProfileResult;
    await writeFile(path.join(stray, 'profiles', 'p2p-w1-copy.json'), JSON.stringify({ ...w1, throughput: 1 }));
    const file = await thresholds('p2p.throughput[workers=1] >= 0.99 * baseline\n');
    const passed = new RegExp(`^PASS {2}p2p\\.throughput\\[workers=1\\] .*\\(baseline ${w1.throughput.toFixed(2)} req/s\\)$`, 'm');
    const once = await gate(['--run', BASELINE, '--baseline', stray, '--thresholds', file]);
    expect(once.stdout).toMatch(passed);
    expect(once.stdout).toMatch(/^baseline .*: ignored profiles\/p2p-w1-copy\.json \(not a profile file its manifest names\)$/m);
    expect(once.code).toBe(0);
    // A file it does not read cannot make it refuse the baseline either.
    await writeFile(path.join(stray, 'profiles', 'notes.json'), '{ not json');
    const { code, stdout } = await gate(['--run', BASELINE, '--baseline', stray, '--thresholds', file]);
    expect(stdout).toMatch(passed);
    expect(stdout).toMatch(/^baseline .*: ignored profiles\/notes\.json, profiles\/p2p-w1-copy\.json \(not a profile file its manifest names\)$/m);
    expect(code).toBe(0);
  }, 30_000);

  it('refuses a profile file whose content is another profile than its name says (exit 2)', async () => {
    const swapped = await copyOf();
    await cp(path.join(swapped, 'profiles', 'p2p-w10.json'), path.join(swapped, 'profiles', 'p2p-w1.json'));
    const file = await thresholds('p2p.throughput[workers=1] >= 0.9 * baseline\n');
    const { code, stderr } = await gate(['--run', BASELINE, '--baseline', swapped, '--thresholds', file]);
    expect(code).toBe(ExitCode.usage);
    expect(stderr.trim()).toMatch(/^fogbench: the baseline .* cannot be gated: profiles\/p2p-w1\.json holds the p2p profile at 10 workers, which is p2p-w10\.json, not the profile its name says/);
  }, 30_000);

  // On the audit's commit latencyWithTimeouts was not validated at all.
  it('refuses a baseline with a negative latencyWithTimeouts (exit 2)', async () => {
    const bad = await copyOf(BASELINE, {
      file: 'p2p-w10.json',
      change: (p) => Object.assign(p, { latencyWithTimeouts: { ...(p.latency as object), censored: 0, p99: -5 } }),
    });
    const file = await thresholds('p2p.latencyWithTimeouts.p99[workers=10] <= baseline * 2\n');
    const { code, stdout, stderr } = await gate(['--run', BASELINE, '--baseline', bad, '--thresholds', file]);
    expect(code).toBe(ExitCode.usage);
    expect(stdout).not.toMatch(/PASS/);
    expect(stderr.trim()).toMatch(/^fogbench: the baseline .* cannot be gated: profiles\/p2p-w10\.json: latencyWithTimeouts\.p99 is -5, expected a number ≥ 0$/);
  }, 30_000);
});
