/**
 * A real sweep on fog as a user runs it (2 lengths × 2 payloads, the three systems, 1 worker,
 * 2 s profiles, plus the temperature scenario to predict): stopped by SIGINT in its third point,
 * resumed by the same command (the complete points are not run again), and its report opened from
 * file:// in Debian's chromium: every chart drawn, nothing logged as an error, no request off the
 * machine. Needs root (fog) and `apt-get install -y chromium`.
 */
import { access, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mkdtemp } from 'node:fs/promises';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepManifest } from '../../harness/bench/sweep-records.ts';
import { startCli, waitFor, type CliResult } from '../helpers/cli.ts';
import { skipReasonPrinted } from '../targets/local/fog-host.ts';
import { removeTempRoots, tempRoot } from './run-folder.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = skipReasonPrinted();
const RUN_ID = `sweep-browser-${process.pid}`;

let runs: string;
let sweepDir: string;
let first: CliResult;
let second: CliResult;
let context: BrowserContext | undefined;
let profileDir: string | undefined;
const offending: string[] = [];

const sweepArgs = () => [
  'bench', '--sweep', 'length=1,2', '--sweep', 'payload=1KB,64KB', '--systems', 'p2p,openfaas,openfaas-chain', '--workers', '1',
  '--duration', '2s', '--warmup', '1s', '--predict', 'scenarios/temperature.ts', '--runs-dir', runs, '--run-id', RUN_ID,
];

describe.skipIf(skip)('a sweep on fog: stopped, resumed, and its report in chromium', () => {
  beforeAll(async () => {
    await access(CHROMIUM).catch(() => {
      throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test`);
    });
    runs = join(await tempRoot('fogbench-sweep-browser-'), 'runs');
    sweepDir = join(runs, RUN_ID);
    // First attempt: SIGINT once the third point's first profile is running.
    const cli = startCli(sweepArgs());
    await waitFor(() => /\[3\/5\] point [\s\S]*running for/.test(cli.stderrSoFar()), 400_000, 'the third point to start measuring');
    cli.child.kill('SIGINT');
    first = await cli.done;
    // Second: the same command resumes.
    second = await startCli(sweepArgs()).done;
    profileDir = await mkdtemp(join(tmpdir(), 'fogbench-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    context.on('request', (request) => {
      if (!/^(file|data):/.test(request.url())) offending.push(request.url());
    });
    await context.route(/^(?!file:|data:)/, (route) => route.abort());
  }, 900_000);

  afterAll(async () => {
    await context?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
    await rm(join('build', RUN_ID), { recursive: true, force: true });
    await removeTempRoots();
  });

  it('stops at SIGINT with exit code 130, two points complete, and says how to resume', async () => {
    expect(first.code, first.stderr.slice(-3000)).toBe(130);
    expect(first.stderr).toContain(`sweep interrupted with 2 of 5 points complete; the same command with --run-id ${RUN_ID} resumes it`);
  });

  it('resumes: the two complete points are skipped, the rest run, and the model is printed', async () => {
    expect(second.code, second.stderr.slice(-3000)).toBe(0);
    expect(second.stderr).toContain('2 of 5 points already complete, not run again');
    expect(second.stderr).toMatch(/\[1\/5\] point length-1_payload-1KB: complete on disk, skipped/);
    expect(second.stderr).toMatch(/\[3\/5\] point length-2_payload-1KB\n/);
    expect(second.stdout).toMatch(/cost model: mean latency \(ms\)/);
    expect(second.stdout).toMatch(/prediction for scenarios\/temperature\.ts/);
    const sweep = JSON.parse(await readFile(join(sweepDir, 'sweep.json'), 'utf8')) as SweepManifest;
    expect(Object.keys(sweep.seconds ?? {}).sort()).toEqual(['length-1_payload-1KB', 'length-1_payload-64KB', 'length-2_payload-1KB', 'length-2_payload-64KB', 'predict-temperature']);
    for (const id of await readdir(join(sweepDir, 'points'))) {
      const profiles = await readdir(join(sweepDir, 'points', id, 'profiles'));
      expect(profiles.sort(), id).toEqual(['openfaas-chain-w1.json', 'openfaas-w1.json', 'p2p-w1.json']);
      await stat(join(sweepDir, 'points', id, 'point.json'));
    }
  });

  it('draws every chart of the sweep report from file://, logs no error, requests nothing off the machine', async () => {
    const page = await context!.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(join(sweepDir, 'index.html')).href);
    await page.waitForFunction(() => document.documentElement.dataset.charts !== undefined, null, { timeout: 60_000 });
    expect(await page.evaluate(() => document.documentElement.dataset.charts)).toBe('rendered');
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((el) => {
        const drawing = el.querySelector('svg.marks, canvas.marks');
        const box = drawing?.getBoundingClientRect();
        return { id: (el as HTMLElement).dataset.chart, width: box?.width ?? 0, height: box?.height ?? 0, shapes: drawing ? drawing.querySelectorAll('path, line, rect, circle, text').length : 0 };
      }),
    );
    expect(charts.map((c) => c.id).sort()).toEqual(['sweep-fit-cpu', 'sweep-fit-latency', 'sweep-terms-cpu', 'sweep-terms-latency', 'sweep-throughput-ratio']);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.shapes, chart.id).toBeGreaterThan(20);
    }
    // 3 systems × 1 worker count × 2 figures × 5 terms; 4 points × 3 systems; 2 figures × 3 systems predicted.
    expect(await page.locator('table[data-table="sweep-cost-terms"] tbody tr').count()).toBe(30);
    expect(await page.locator('table[data-table="sweep-points"] tbody tr').count()).toBe(12);
    expect(await page.locator('table[data-table="sweep-prediction"] tbody tr').count()).toBe(6);
    // A point's own run report is one click away.
    await page.locator('table[data-table="sweep-points"] tbody tr a').first().click();
    await page.waitForFunction(() => document.documentElement.dataset.charts === 'rendered', null, { timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toContain('length-1_payload-1KB');
    expect(errors).toEqual([]);
    expect(offending).toEqual([]);
    await page.close();
  }, 120_000);
});
