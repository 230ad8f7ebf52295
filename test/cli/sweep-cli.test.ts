/** `bench --sweep` refuses what it cannot do before anything runs, with one line saying why. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('bench --sweep usage errors', () => {
  it('refuses --predict without --sweep', async () => {
    const r = await runCli(['bench', '--predict', 'scenarios/temperature.ts', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--predict needs --sweep/);
  });

  it('refuses to sweep a scenario file, and says to give it as --predict', async () => {
    const r = await runCli(['bench', '--sweep', 'length=1,2', '--scenario', 'scenarios/temperature.ts', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sweep varies a chain scenario: .* give it as --predict/);
  });

  it('names an unknown axis', async () => {
    const r = await runCli(['bench', '--sweep', 'depth=1,2', '--target', 'loopback']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown axis "depth" \(axes: length, payload, work\)/);
  });

  it('refuses a gate on a sweep', async () => {
    const r = await runCli(['bench', '--sweep', 'length=1', '--thresholds', 'x.txt', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sweep does not take --baseline or --thresholds/);
  });
});

describe('bench --sweep, issue 25 finding 9', () => {
  it('issue 25 #9: refuses an empty value in a sweep axis, in one line', async () => {
    // (--systems nosuch stops a fogbench that would take the list, before it runs anything.)
    const r = await runCli(['bench', '--sweep', 'length=1,,2', '--target', 'loopback', '--systems', 'nosuch']);
    console.log(`length=1,,2: exit ${r.code}: ${r.stderr.trim()}`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/--sweep length=1,,2: a value is empty \(two commas together, or one at an end\): give every value \(see --help\)$/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('issue 25 #9: refuses a chain parameter given twice, in one line', async () => {
    const root = tempDir('fogbench-sweep-cli-');
    // A file as --runs-dir stops a fogbench that would take the spec before any point runs.
    writeFileSync(path.join(root, 'file'), '');
    const r = await runCli(['bench', '--scenario', 'chain:length=2,length=3', '--sweep', 'payload=1KB', '--target', 'loopback', '--systems', 'p2p', '--runs-dir', path.join(root, 'file')]);
    console.log(`chain:length=2,length=3: exit ${r.code}: ${r.stderr.trim()}`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('fogbench: length is given twice in chain:length=2,length=3: give each of length, payload and work once');
  });

  it('issue 25 #9: writes no report with --no-report, and still prints the fitted terms', async () => {
    const root = tempDir('fogbench-sweep-cli-');
    const runs = path.join(root, 'runs');
    const r = await runCli(['bench', '--sweep', 'length=1', '--target', 'loopback', '--systems', 'p2p', '--workers', '1', '--duration', '1s', '--warmup', '0', '--no-report', '--runs-dir', runs, '--run-id', 'quiet']);
    const html = readdirSync(path.join(runs, 'quiet'), { recursive: true }).map(String).filter((f) => f.endsWith('.html'));
    console.log(`--no-report: exit ${r.code}; HTML files: ${JSON.stringify(html)}; stdout: ${r.stdout.trim().split('\n').slice(-2).join(' | ')}`);
    expect(r.code).toBe(0);
    expect(html).toEqual([]);
    expect(r.stdout).toMatch(/sweep: {3}.*quiet \(1 of 1 points complete\)/);
    expect(r.stdout).not.toMatch(/report:/);
  }, 120_000);

  // Issue 24: a sweep's report was written, but the index of runs beside the runs folder never listed it.
  it('issue 24: lists the sweep in the index of runs with a link to its report', async () => {
    const root = tempDir('fogbench-sweep-cli-');
    const runs = path.join(root, 'runs');
    const r = await runCli(['bench', '--sweep', 'length=1', '--target', 'loopback', '--systems', 'p2p', '--workers', '1', '--duration', '1s', '--warmup', '0', '--runs-dir', runs, '--run-id', 'listed']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toMatch(/report: {2}.*listed\/index\.html/);
    const index = readFileSync(path.join(root, 'index.html'), 'utf8');
    expect(index).toContain('<a href="runs/listed/index.html">listed</a>');
    expect(index).toContain('1 of 1');
  }, 120_000);
});
