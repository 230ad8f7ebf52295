/**
 * The report of a real short run, opened from file:// in Debian's chromium (driven by
 * playwright-core): every chart is drawn, nothing is logged as an error, and no request leaves
 * the machine (any URL that is not file: or data: fails the test). A screenshot of the report
 * is written into the run folder. Needs `apt-get install -y chromium`.
 */
import { access, cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIndex, writeRunReport } from '../../harness/report/writer.ts';
import { runCli } from '../helpers/cli.ts';
import { removeTempRoots, tempRoot } from './run-folder.ts';

const CHROMIUM = '/usr/bin/chromium';
const fixture = fileURLToPath(new URL('../fixtures/runs/partial-synthetic', import.meta.url));

let root: string;
let runDir: string;
let profileDir: string;
let context: BrowserContext;
const offending: string[] = [];

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test`);
  });
  root = await tempRoot('fogbench-browser-');
  const runs = join(root, 'runs');
  // A real run: the p2p chain on the loopback target for 3 seconds with one worker.
  const bench = await runCli(['bench', '--workers', '1', '--duration', '3s', '--systems', 'p2p', '--target', 'loopback', '--runs-dir', runs, '--run-id', 'browser', '--cooldown', '0s']);
  if (bench.code !== 0) throw new Error(`bench failed (exit ${bench.code}):\n${bench.stderr}`);
  runDir = join(runs, 'browser');
  await writeRunReport(runDir);
  await cp(fixture, join(runs, 'partial-synthetic'), { recursive: true });
  await writeRunReport(join(runs, 'partial-synthetic'));
  await writeIndex(runs, join(root, 'index.html'));
  profileDir = await mkdtemp(join(tmpdir(), 'fogbench-chromium-'));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  // Record and block anything that is not a local file: the pages must work offline.
  context.on('request', (request) => {
    if (!/^(file|data):/.test(request.url())) offending.push(request.url());
  });
  await context.route(/^(?!file:|data:)/, (route) => route.abort());
}, 180_000);

afterAll(async () => {
  await context?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  await removeTempRoots();
});

async function open(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForFunction(() => document.documentElement.dataset.charts !== undefined, null, { timeout: 60_000 });
  return { page, errors };
}

/** Each chart container's drawing: SVG or canvas, its size and how many shapes it holds. */
async function drawnCharts(page: Page) {
  return page.$$eval('[data-chart]', (containers) =>
    containers.map((el) => {
      const drawing = el.querySelector('svg.marks, canvas.marks');
      const box = drawing?.getBoundingClientRect();
      return {
        id: (el as HTMLElement).dataset.chart,
        kind: drawing?.tagName.toLowerCase() ?? null,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        shapes: drawing ? drawing.querySelectorAll('path, line, rect, circle, text').length : 0,
      };
    }),
  );
}

describe('the report of a real run, in chromium from file://', () => {
  it('draws every chart, logs no error, requests nothing from the network, and is screenshotted', async () => {
    const { page, errors } = await open(pathToFileURL(join(runDir, 'index.html')).href);
    expect(await page.evaluate(() => document.documentElement.dataset.charts)).toBe('rendered');
    const charts = await drawnCharts(page);
    // 4 summary charts, 1 timeline, the hop boxplots and 1 node chart for the single profile
    expect(charts.map((c) => c.id)).toEqual(expect.arrayContaining(['summary-throughput', 'summary-latency-mean', 'summary-latency-p99', 'summary-error-rate', 'timeline-p2p-w1', 'hop-gaps']));
    for (const chart of charts) {
      expect(chart.kind, chart.id).toMatch(/^(svg|canvas)$/);
      expect(chart.width, chart.id).toBeGreaterThan(100);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.shapes, chart.id).toBeGreaterThan(20);
    }
    // the tables are there as plain HTML, and the numbers in them are this run's
    expect(await page.locator('table[data-table="throughput"] tbody tr').count()).toBe(1);
    // charts are interactive: hovering a point of ours shows vega-tooltip's box with its figures
    await page.locator('[data-chart="summary-throughput"] .ours_points_marks path').first().hover();
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.waitFor({ state: 'visible', timeout: 5_000 });
    expect(await tooltip.textContent()).toMatch(/this run.*p2p.*workers.*1/s);
    expect(errors).toEqual([]);
    expect(offending).toEqual([]);
    const screenshot = join(runDir, 'report-screenshot.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
    // printing hides the navigation and keeps the charts
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    expect(await page.locator('[data-chart="summary-throughput"] svg.marks').isVisible()).toBe(true);
    await page.close();
  }, 120_000);

  it('the index draws its trend charts and recomputes the comparison for the runs picked', async () => {
    const { page, errors } = await open(pathToFileURL(join(root, 'index.html')).href);
    expect(await page.evaluate(() => document.documentElement.dataset.charts)).toBe('rendered');
    for (const chart of await drawnCharts(page)) expect(chart.shapes, chart.id).toBeGreaterThan(20);
    const title = () => page.locator('#comparison h3').textContent();
    const before = await title();
    expect(before).toMatch(/^Comparison: .+ \(A\) → .+ \(B\)/);
    const [a, b] = [await page.inputValue('#compare-a'), await page.inputValue('#compare-b')];
    await page.selectOption('#compare-a', b);
    await page.selectOption('#compare-b', a);
    expect(await title()).toContain(`Comparison: ${b} (A) → ${a} (B)`);
    expect(await page.locator('#comparison tbody tr').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    expect(offending).toEqual([]);
    await page.close();
  }, 60_000);
});
