/** `fogbench report` as a user runs it: real CLI process, real run folders, real HTTP server. */
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../helpers/cli.ts';
import { removeTempRoots, tempRoot, writeRunFolder } from '../report/run-folder.ts';
import { writeSweepFolder } from '../report/sweep-folder.ts';

afterAll(removeTempRoots);

const fixture = fileURLToPath(new URL('../fixtures/runs/partial-synthetic', import.meta.url));

async function runsFolder(): Promise<{ root: string; runs: string }> {
  const root = await tempRoot('fogbench-cli-report-');
  const runs = join(root, 'runs');
  await writeRunFolder(runs, { runId: 'one', seconds: 4, createdAt: '2026-02-01T00:00:00.000Z' });
  await cp(fixture, join(runs, 'two'), { recursive: true });
  return { root, runs };
}

describe('fogbench report', () => {
  it("regenerates every run's report and the index beside the runs folder", async () => {
    const { root, runs } = await runsFolder();
    const { code, stdout, stderr } = await runCli(['report', '--runs', runs]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/runs\/one\/index\.html \(15 CSV files\)/);
    // The fixture's openfaas profile was cut off mid-write: named, and the run reported without it.
    expect(stdout).toMatch(/runs\/two\/index\.html \(15 CSV files; 1 unusable file: profiles\/openfaas-w1\.json: Unexpected end of JSON input\)/);
    expect(stdout).toMatch(/index\.html \(2 runs\)/);
    for (const run of ['one', 'two']) {
      expect((await stat(join(runs, run, 'index.html'))).size).toBeGreaterThan(10_000);
      expect((await readdir(join(runs, run, 'csv'))).length).toBe(15);
      // The verdicts of each run, judged from its folder (the fixture's run never had a verdicts.json).
      expect(JSON.parse(await readFile(join(runs, run, 'verdicts.json'), 'utf8'))).toHaveLength(14);
    }
    const index = await readFile(join(root, 'index.html'), 'utf8');
    expect(index).toContain('href="runs/one/index.html"');
  }, 60_000);

  // Issue 24: report regenerated runs only; a sweep's report stayed as its sweep wrote it, and the
  // index did not list sweeps.
  it("regenerates each sweep's report and its points', lists the sweeps in the index, and names a damaged one", async () => {
    const { root, runs } = await runsFolder();
    const { dir } = await writeSweepFolder(runs, 'grid', ['length=1,2']);
    for (const page of ['index.html', 'points/length-1/index.html']) await writeFile(join(dir, page), 'stale');
    await writeSweepFolder(runs, 'damaged', ['length=1']);
    await writeFile(join(runs, 'damaged', 'sweep.json'), '{"kind": "fogbench.sweep"');
    const { code, stdout, stderr } = await runCli(['report', '--runs', runs]);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/runs\/grid\/index\.html \(sweep: 2 of 2 points complete, their reports too; \d+ CSV files\)/);
    expect(stderr).toMatch(/fogbench: skipped sweep .*runs\/damaged: /);
    expect(stdout).toMatch(/index\.html \(2 runs; 1 sweep, 1 skipped\)/);
    const page = await readFile(join(dir, 'index.html'), 'utf8');
    expect(page).not.toBe('stale');
    expect(page).toContain('href="points/length-2/index.html"');
    for (const point of ['length-1', 'length-2']) expect((await stat(join(dir, 'points', point, 'index.html'))).size, point).toBeGreaterThan(10_000);
    expect((await readdir(join(dir, 'csv'))).length).toBeGreaterThan(0);
    const index = await readFile(join(root, 'index.html'), 'utf8');
    expect(index).toContain('<a href="runs/grid/index.html">grid</a>');
    expect(index).toContain('length=1,2');
    expect(index).not.toContain('runs/damaged/');
  }, 60_000);

  it('writes the index where --index says', async () => {
    const { root, runs } = await runsFolder();
    const { code } = await runCli(['report', '--runs', runs, '--index', join(root, 'elsewhere', 'all.html')]);
    expect(code).toBe(0);
    expect(await readFile(join(root, 'elsewhere', 'all.html'), 'utf8')).toContain('href="../runs/two/index.html"');
  }, 60_000);

  it.each([
    [['--runs', '/nonexistent/fogbench-runs'], /fogbench: cannot read runs folder \/nonexistent\/fogbench-runs/],
    [['--port', '70000'], /--port.*'70000' is invalid.*0 to 65535/],
  ])('rejects %j with one line and exit code 2', async (args, message) => {
    const { code, stderr } = await runCli(['report', ...args]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n').filter((l) => /error|fogbench:/.test(l))).toHaveLength(1);
    expect(stderr).toMatch(message);
  }, 30_000);

  it('--serve serves the reports on 127.0.0.1, prints the URL and stops on Ctrl-C', async () => {
    const { runs } = await runsFolder();
    const cli = startCli(['report', '--runs', runs, '--serve', '--port', '0']);
    let stdout = '';
    cli.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    await waitFor(() => /serving .* at http:\/\/127\.0\.0\.1:\d+\//.test(stdout), 45_000, 'the URL');
    const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1]!;
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('fogbench runs');
    const report = await fetch(new URL('runs/one/index.html', url));
    expect(await report.text()).toContain('fogbench run <code>one</code>');
    expect(((await (await fetch(new URL('runs/one/verdicts.json', url))).json()) as unknown[]).length).toBe(14);
    const vendor = await fetch(new URL('runs/one/vendor/vega.min.js', url));
    expect(vendor.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  }, 60_000);

  it('reports every other run when one is badly shaped, naming it (issue 13)', async () => {
    const { root, runs } = await runsFolder();
    const { dir, manifest } = await writeRunFolder(runs, { runId: 'broken', seconds: 2, workers: [1], systems: ['p2p'] });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, profiles: 5 }));
    const profile = JSON.parse(await readFile(join(dir, 'profiles', 'p2p-w1.json'), 'utf8')) as Record<string, unknown>;
    delete profile.latency;
    await writeFile(join(dir, 'profiles', 'p2p-w1.json'), JSON.stringify(profile));
    const { code, stdout, stderr } = await runCli(['report', '--runs', runs]);
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/runs\/one\/index\.html \(\d+ CSV files\)/);
    expect(stdout).toMatch(/runs\/broken\/index\.html \(\d+ CSV files; 2 unusable files: manifest\.json: profiles is 5, expected a list/);
    expect(stdout).toMatch(/index\.html \(3 runs\)/);
    expect(await readFile(join(root, 'index.html'), 'utf8')).toContain('href="runs/broken/index.html"');
  }, 60_000);

  it('--index elsewhere --serve serves only the report, not the folder it sits in (issue 13)', async () => {
    const { root, runs } = await runsFolder();
    const home = join(root, 'home');
    await mkdir(join(home, '.ssh'), { recursive: true });
    await writeFile(join(home, '.ssh', 'id_ed25519'), 'PRIVATE KEY');
    await writeFile(join(home, 'notes.txt'), 'private notes');
    const cli = startCli(['report', '--runs', runs, '--index', join(home, 'index.html'), '--serve', '--port', '0']);
    let stdout = '';
    cli.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    try {
      await waitFor(() => /at http:\/\/127\.0\.0\.1:\d+\//.test(stdout), 45_000, 'the URL');
      const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)![1]!;
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(new URL('vendor/vega.min.js', url))).status).toBe(200);
      for (const path of ['.ssh/id_ed25519', 'notes.txt', '%2essh/id_ed25519']) {
        const res = await fetch(new URL(path, url));
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toMatch(/PRIVATE|private/);
      }
    } finally {
      cli.child.kill('SIGINT');
      await cli.done;
    }
  }, 60_000);
});
