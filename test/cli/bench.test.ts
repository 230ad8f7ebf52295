/** The bench command as a user runs it: real CLI process, real services, real files. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileResult, RunManifest } from '../../harness/results/schema.ts';
import { runCli, startCli, waitFor } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { commandOf, descendantsOf, isAlive } from '../helpers/processes.ts';

const tmp = async () => tempDir('fogbench-cli-');

describe('fogbench bench', () => {
  const started: { kill(signal: NodeJS.Signals): boolean }[] = [];
  afterEach(() => started.splice(0).forEach((c) => c.kill('SIGINT')));

  it('runs two profiles, prints the summary and writes the run folder', async () => {
    const runs = await tmp();
    const { code, stdout, stderr } = await runCli([
      'bench', '--workers', '1,2', '--duration', '2s', '--systems', 'p2p', '--target', 'loopback',
      '--runs-dir', runs, '--run-id', 'cli-test', '--cooldown', '0s',
    ]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/system\s+workers\s+requests\s+req\/s/);
    expect(stdout).toMatch(/^p2p\s+1\s+\d+/m);
    expect(stdout).toMatch(/^p2p\s+2\s+\d+/m);
    const manifest = JSON.parse(await readFile(path.join(runs, 'cli-test', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest).toMatchObject({ schemaVersion: 1, runId: 'cli-test', systems: ['p2p'], target: { kind: 'loopback' } });
    expect(manifest.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.scenario.route).toEqual(['get', 'filter-temperature', 'compute-average', 'display']);
    expect((await readdir(path.join(runs, 'cli-test', 'profiles'))).sort()).toEqual(['p2p-w1.json', 'p2p-w2.json']);
    const p = JSON.parse(await readFile(path.join(runs, 'cli-test', 'profiles', 'p2p-w2.json'), 'utf8')) as ProfileResult;
    expect(p.requests).toBeGreaterThan(0);
    expect(p.errorRate).toBe(0);
    expect(p.hops).toHaveLength(3);
    expect(p.hops[0]!.count).toBeGreaterThan(0);
    expect(p.timeline).toHaveLength(2);
    // Under the summary, the verdict on each of the paper's claims: p2p alone at 1 and 2 workers
    // can test none of them, and each says what it lacks; verdicts.json holds the same.
    expect(stdout).toMatch(/\nthe paper's claims: 0 reproduced, 0 not reproduced, 14 untestable \(rules: docs\/replication\.md; .*cli-test\/verdicts\.json\)\n/);
    for (let i = 1; i <= 14; i++) expect(stdout).toMatch(new RegExp(`^C${i} +untestable  \\S`, 'm'));
    expect(stdout).toMatch(/^C2 +untestable .*\n +no openfaas profile in this run\n/m);
    expect(stdout.indexOf("the paper's claims")).toBeGreaterThan(stdout.indexOf('~ not steady  * interrupted'));
    expect(stdout.indexOf("the paper's claims")).toBeLessThan(stdout.indexOf('results: '));
    const verdicts = JSON.parse(await readFile(path.join(runs, 'cli-test', 'verdicts.json'), 'utf8')) as { id: string; status: string; evidence: string }[];
    expect(verdicts.map((v) => `${v.id} ${v.status}`)).toEqual(Array.from({ length: 14 }, (_, i) => `C${i + 1} untestable`));
    expect(verdicts.find((v) => v.id === 'C4')!.evidence).toBe('no p2p profile at 50 workers (this run has p2p at 1, 2)');

    // The same id again is refused before anything runs: the first run's files stay as they were
    // (hostile test of issue 14: they were partly replaced, one folder mixing two runs).
    const again = await runCli(['bench', '--workers', '1', '--duration', '1s', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'cli-test']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--run-id cli-test: .* already holds a run/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(await readFile(path.join(runs, 'cli-test', 'manifest.json'), 'utf8'))).toEqual(manifest);
  }, 90_000);

  it('repeats profiles with --repeat, writing one file per run and a table of intervals', async () => {
    const runs = await tmp();
    const { code, stdout } = await runCli([
      'bench', '--workers', '1', '--duration', '1s', '--repeat', '2', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'rep', '--cooldown', '0s', '--no-report',
    ]);
    expect(code).toBe(0);
    expect((await readdir(path.join(runs, 'rep', 'profiles'))).sort()).toEqual(['p2p-w1-r1.json', 'p2p-w1-r2.json']);
    expect(stdout).toMatch(/repetitions \(intervals/);
    expect(stdout).toMatch(/^p2p\s+1\s+2\s+[\d.]+ \[[\d.-]+, [\d.]+\]/m);
    const manifest = JSON.parse(await readFile(path.join(runs, 'rep', 'manifest.json'), 'utf8')) as RunManifest;
    expect(manifest.profiles).toEqual([
      { system: 'p2p', workers: 1, repetition: 1 },
      { system: 'p2p', workers: 1, repetition: 2 },
    ]);
    expect(manifest.flags).toEqual({ clientLimited: [] });
  }, 90_000);

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--workers', '0'], /--workers.*'0' is invalid.*at least 1/],
    [['--workers', 'abc'], /--workers.*'abc' is invalid/],
    [['--duration', '-1'], /--duration.*'-1' is invalid/],
    [['--scenario', 'scenarios/missing.ts', '--systems', 'p2p', '--target', 'loopback'], /scenario file not found: scenarios\/missing\.ts/],
    [['--systems', 'openfaas', '--target', 'loopback'], /openfaas cannot run on the loopback target: of-watchdog binds port 8081 for metrics in every replica/],
    [['--target', 'loopback'], /openfaas cannot run on the loopback target/],
    [['--systems', 'p2p,lambda'], /unknown system "lambda" \(available: p2p, openfaas, openfaas-chain\)/],
    [['--target', 'mars'], /unknown target "mars"/],
    [['--run-id', '..', '--target', 'loopback'], /--run-id "\.\." cannot be used as a folder name/],
    [['--run-id', '.', '--target', 'loopback'], /--run-id "\." cannot be used as a folder name/],
    [['--run-id', '.hidden', '--target', 'loopback'], /--run-id "\.hidden" cannot be used as a folder name: it starts with a dot/],
    [['--run-id', 'a/b', '--target', 'loopback'], /--run-id "a\/b" cannot be used as a folder name: it holds a path separator/],
    [['--run-id', '', '--target', 'loopback'], /--run-id "" cannot be used as a folder name: it is empty/],
    // Hostile test of issue 14: past Node's longest timer these fired at once and the run "passed".
    [['--duration', '597h', '--target', 'loopback'], /--duration.*durations above 596h/],
    [['--timeout', '1000h', '--target', 'loopback'], /--timeout.*durations above 596h/],
    [['--warmup', '1000h', '--target', 'loopback'], /--warmup.*durations above 596h/],
    [['--duration', '100ms', '--target', 'loopback'], /--duration.*at least 1s/],
    [['--rate', '99999999999999999999', '--target', 'loopback'], /--rate.*above 1000000 req\/s/],
    [['--seed', '7', '--systems', 'p2p', '--target', 'loopback'], /--arrivals and --seed shape an open loop: give --rate too/],
    // One deadline for both systems replaced p2p's chain budget and the watchdogs' exec_timeout.
    [['--chain-budget', '19s', '--target', 'loopback'], /--chain-budget .*was replaced by --deadline, one end-to-end deadline for both systems/],
    [['--function-timeout', '30s', '--target', 'loopback'], /--function-timeout .*was replaced by --deadline/],
    [['--deadline', '0', '--target', 'loopback'], /--deadline.*'0' is invalid/],
    [['--function-runtime', 'express', '--target', 'loopback'], /--function-runtime.*'express' is invalid.*template, bare/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const runs = await tmp();
    const { code, stderr } = await runCli(['bench', '--runs-dir', runs, ...args]);
    expect(code).toBe(2);
    const errorLines = stderr.split('\n').filter((l) => /error|fogbench:/.test(l));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('cleans up every process it started on Ctrl-C, keeping what it measured', async () => {
    const runs = await tmp();
    const run = startCli(['bench', '--workers', '2', '--duration', '60s', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'sigint']);
    started.push(run.child);
    await waitFor(() => /p2p w2: running/.test(run.stderrSoFar()) || /p2p w2 \[/.test(run.stderrSoFar()), 60_000, 'the profile to start');
    await new Promise((r) => setTimeout(r, 1_500));
    const children = descendantsOf(run.child.pid!);
    expect(children.length).toBeGreaterThanOrEqual(5); // 4 services + the load agent
    run.child.kill('SIGINT');
    const { code, stdout } = await run.done;
    expect(code).toBe(130);
    const left = children.filter(isAlive).map((pid) => `${pid} ${commandOf(pid)}`);
    expect(left).toEqual([]);
    const p = JSON.parse(await readFile(path.join(runs, 'sigint', 'profiles', 'p2p-w2.json'), 'utf8')) as ProfileResult;
    expect(p.interrupted).toBe(true);
    expect(p.requests).toBeGreaterThan(0);
    expect(stdout).toMatch(/p2p\*\s+2/);
  }, 90_000);
});
