/**
 * The report's Faults section: the comparison across systems and the detail, from profiles that
 * carry `faults`; absent from runs without; readable in a 1400 px window, with the faults drawn
 * on the timelines.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { attachFaults } from '../../harness/bench/fault-schedule.ts';
import { faultSummaryLines } from '../../harness/faults/comparison.ts';
import { parseFault } from '../../harness/faults/spec.ts';
import { assembleRun } from '../../harness/report/run-data.ts';
import { faultComparisonTable, faultDetailTable, faultSection } from '../../harness/report/fault-section.ts';
import { buildRunReport } from '../../harness/report/run-report.ts';
import { syntheticRun } from '../../harness/report/synthetic-run.ts';
import { writeRunReport } from '../../harness/report/writer.ts';
import type { FaultOutcome, ProfileResult, TimelineBucket } from '../../harness/results/schema.ts';
import { removeTempRoots, tempRoot, writeRunFolder } from './run-folder.ts';

afterAll(removeTempRoots);

const SCHEDULE = ['kill:filter-temperature@10s', 'kill:gateway@20s', 'cpu:worker-1=0.05@30s+5s'];

/** A 40 s timeline at `rate`/s with the given seconds [from, to) at `down` responses, `errors` of them refused. */
function timeline(rate: number, outages: { from: number; to: number; down: number; errors: number }[]): TimelineBucket[] {
  return Array.from({ length: 40 }, (_, t) => {
    const o = outages.find((x) => t >= x.from && t < x.to);
    const completed = o ? o.down : rate;
    const errors = o ? o.errors : 0;
    return { t, completed, ok: completed - errors, errors: errors ? { refused: errors } : {}, p50: 10, p99: 20, mean: 12 };
  });
}

/** p2p fails fast on the kill; openfaas holds its requests; the squeeze slows both; openfaas never recovers from it. */
function withFaults(profiles: ProfileResult[]): ProfileResult[] {
  for (const p of profiles) {
    const p2p = p.system === 'p2p';
    p.timeline = p2p
      ? timeline(100, [{ from: 10, to: 13, down: 150, errors: 150 }, { from: 30, to: 35, down: 40, errors: 0 }])
      : timeline(40, [{ from: 10, to: 14, down: 0, errors: 0 }, { from: 14, to: 15, down: 10, errors: 2 }, { from: 30, to: 40, down: 10, errors: 0 }]);
    p.durationSeconds = 40;
    p.events = [];
    const outcome = (text: string, startedAt: number, applies: boolean, endedAt = startedAt): Omit<FaultOutcome, 'recovery'> => ({
      fault: parseFault(text),
      status: applies ? 'applied' : 'not-applicable',
      detail: applies ? `did ${text}` : 'this system has no unit or service called "gateway"',
      targets: [],
      startedAt: applies ? startedAt : null,
      endedAt: applies ? endedAt : null,
      reverted: endedAt > startedAt ? 'restored' : null,
      endedBy: endedAt > startedAt ? 'duration' : applies ? 'instant' : null,
    });
    attachFaults(p, {
      epochMs: Date.parse(p.startedAt),
      outcomes: [outcome(SCHEDULE[0]!, 10, true), outcome(SCHEDULE[1]!, 20, !p2p), outcome(SCHEDULE[2]!, 30, true, 35)],
    });
  }
  return profiles;
}

function faultRun() {
  const { manifest, profiles } = syntheticRun({ runId: 'faults', seconds: 40, workers: [5] });
  manifest.options.faults = SCHEDULE.map((f) => parseFault(f));
  return { manifest, profiles: withFaults(profiles.filter((p) => p.system === 'p2p' || p.system === 'openfaas')) };
}

describe('faults section', () => {
  it('compares each fault across systems: time to recover, requests failed, service lost, error classes', () => {
    const { manifest, profiles } = faultRun();
    const run = assembleRun('faults', manifest, profiles);
    const table = faultComparisonTable(run)!;
    expect(table.columns.map((c) => c.key)).toEqual(['fault', 'workers', 'system', 'recovery_s', 'after_end_s', 'failed', 'ok_short', 'service_lost_s', 'error_classes']);
    expect(table.rows).toEqual([
      ['kill:filter-temperature@10s', 5, 'p2p', 3, 3, 450, 300, 3, 'refused 450'],
      ['kill:filter-temperature@10s', 5, 'openfaas', 5, 5, 2, 192, 4.8, 'refused 2'],
      ['kill:gateway@20s', 5, 'p2p', 'not-applicable', null, null, null, null, 'this system has no unit or service called "gateway"'],
      ['kill:gateway@20s', 5, 'openfaas', 0, 0, 0, 0, 0, 'none'],
      ['cpu:worker-1=0.05@30s+5s', 5, 'p2p', 5, 0, 0, 300, 3, 'none'],
      ['cpu:worker-1=0.05@30s+5s', 5, 'openfaas', 'not recovered', null, 0, 300, 7.5, 'none'],
    ]);
    const detail = faultDetailTable(run)!;
    const row = detail.rows.find((r) => r[0] === 'cpu:worker-1=0.05@30s+5s' && r[1] === 'openfaas')!;
    expect(row).toEqual([
      'cpu:worker-1=0.05@30s+5s', 'openfaas', 5, 'applied', 30, 35, 40, '30–40', 'did cpu:worker-1=0.05@30s+5s', 'restored',
      'not recovered within the profile (no healthy 5 s after it)',
    ]);
    // The terminal says the same in one line per fault and profile.
    expect(faultSummaryLines(run.profiles)).toContain(
      'kill:filter-temperature@10s · p2p w5: recovered in 3 s, 450 failed (refused 450), 300 ok short of the baseline (3 s of service)',
    );
    expect(faultSummaryLines(run.profiles)).toContain('cpu:worker-1=0.05@30s+5s · openfaas w5: NOT recovered within the profile, 0 failed (none), 300 ok short of the baseline (7.5 s of service) [not recovered within the profile (no healthy 5 s after it)]');
  });

  it('is part of the report when a run has faults, and absent when not', () => {
    const { manifest, profiles } = faultRun();
    const run = assembleRun('faults', manifest, profiles);
    const content = buildRunReport(run);
    expect(content.tables.map((t) => t.id)).toEqual(expect.arrayContaining(['fault-comparison', 'faults']));
    const html = faultSection(run, (id) => `<table id="${id}"></table>`);
    expect(html).toContain('<section id="faults"><h2>Faults</h2>');
    expect(html).toContain('<code>kill:filter-temperature@10s</code>, <code>kill:gateway@20s</code>');
    // Faults are events on every timeline, start and end.
    const events = profiles[0]!.events.map((e) => `${e.t} ${e.kind} ${e.subject}`);
    expect(events).toEqual(['10 fault-start filter-temperature', '30 fault-start worker-1', '35 fault-end worker-1']);
    const plain = syntheticRun({ runId: 'plain', seconds: 5, workers: [1] });
    const none = assembleRun('plain', plain.manifest, plain.profiles);
    expect(faultSection(none, () => 'x')).toBe('');
    expect(buildRunReport(none).tables.some((t) => t.id.startsWith('fault'))).toBe(false);
  });

  it('renders in a 1400 px window without sideways scrolling, with the faults on the timelines', async () => {
    const root = await tempRoot('fogbench-faults-report-');
    const { dir, manifest } = await writeRunFolder(join(root, 'runs'), { runId: 'faults', seconds: 40, workers: [5] }, (p) => p.system === 'p2p' || p.system === 'openfaas');
    manifest.options.faults = SCHEDULE.map((f) => parseFault(f));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    for (const system of ['p2p', 'openfaas']) {
      const file = join(dir, 'profiles', `${system}-w5.json`);
      const [p] = withFaults([JSON.parse(await readFile(file, 'utf8')) as ProfileResult]);
      await writeFile(file, JSON.stringify(p));
    }
    const { htmlPath, problems } = await writeRunReport(dir);
    expect(problems).toEqual([]);
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const tab = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
      await tab.route(/^(?!file:|data:)/, (route) => route.abort());
      await tab.goto(pathToFileURL(htmlPath).href);
      const overflowing = await tab.$$eval('#faults .scroll', (boxes) =>
        boxes.filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => `${b.querySelector('table')?.dataset.table}: ${b.scrollWidth} > ${b.clientWidth}`),
      );
      expect(overflowing).toEqual([]);
      expect(await tab.$$eval('#faults table', (tables) => tables.map((t) => t.dataset.table))).toEqual(['fault-comparison', 'faults']);
    } finally {
      await browser.close();
    }
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('fault-start');
  }, 60_000);
});
