/** writeRunReport and writeIndex on real run folders: the files, their links, and no network. */
import { cp, lstat, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIndex, writeRunReport } from '../../harness/report/writer.ts';
import { removeTempRoots, tempRoot, writeRunFolder } from './run-folder.ts';
import { writeSweepFolder } from './sweep-folder.ts';

afterAll(removeTempRoots);

const fixture = fileURLToPath(new URL('../fixtures/runs/partial-synthetic', import.meta.url));

/** Every URL the page would load by itself: script src, link href, img src, CSS url(). */
function loadedUrls(html: string): string[] {
  return [...html.matchAll(/<(?:script|img|iframe|link)\b[^>]*?\b(?:src|href)="([^"]+)"/gi), ...html.matchAll(/url\(\s*['"]?([^'")]+)/gi)].map((m) => m[1]!);
}

describe('writeRunReport', () => {
  let root: string;
  let dir: string;
  let result: Awaited<ReturnType<typeof writeRunReport>>;
  beforeAll(async () => {
    root = await tempRoot();
    ({ dir } = await writeRunFolder(join(root, 'runs'), { runId: 'full', seconds: 20 }));
    result = await writeRunReport(dir);
  });

  it('writes index.html with every table readable as HTML and every chart placeholder', async () => {
    expect(result.htmlPath).toBe(join(dir, 'index.html'));
    const html = await readFile(result.htmlPath, 'utf8');
    for (const id of ['error-rate', 'throughput', 'mean-latency', 'verdicts', 'timeline-facts', 'profiles', 'errors-by-class', 'hop-gaps', 'events', 'manifest', 'nodes', 'paper-reference']) {
      expect(html).toContain(`<table data-table="${id}">`);
    }
    expect(html.match(/data-chart="/g)).toHaveLength(21);
    const specs = JSON.parse(/<script type="application\/json" id="fogbench-charts">([^<]*)<\/script>/.exec(html)![1]!) as Record<string, unknown>;
    expect(Object.keys(specs)).toHaveLength(21);
    expect(html).toContain('Dyninka paper (t2.small VMs)');
    expect(html).toContain('@media print');
  });

  it('loads only files shipped next to it: no network URL anywhere the page loads from', async () => {
    const html = await readFile(result.htmlPath, 'utf8');
    const urls = loadedUrls(html);
    expect(urls).toEqual(['vendor/vega.min.js', 'vendor/vega-lite.min.js', 'vendor/vega-embed.min.js']);
    for (const url of urls) expect((await stat(join(dir, url))).size).toBeGreaterThan(50_000);
  });

  it('writes one CSV per table and per-second export, parseable, linked from the page', async () => {
    // 11 tables of a run (the timeouts one among them), the verdicts and timeline facts, 2 per-second exports.
    expect(result.csvFiles).toHaveLength(15);
    const html = await readFile(result.htmlPath, 'utf8');
    for (const file of result.csvFiles) {
      const name = file.slice(dir.length + 1);
      expect(html).toContain(`href="${name}"`);
      expect(parse(await readFile(file, 'utf8'), { columns: true }).length, name).toBeGreaterThan(0);
    }
  });

  it('says what is missing in a partial run, and still reports what is there', async () => {
    const copy = join(root, 'runs', 'partial');
    await cp(fixture, copy, { recursive: true });
    const { htmlPath } = await writeRunReport(copy);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('Partial run: 2 of 4 profiles have no result (openfaas, 1 worker; openfaas, 5 workers)');
    expect(html).toMatch(/Could not use profiles\/openfaas-w1\.json: /);
    expect(html).toContain('<td>p2p</td><td class="num">5</td>');
  });

  it('reports a run that has a manifest but no profile yet, without failing', async () => {
    const { dir: empty } = await writeRunFolder(join(root, 'runs'), { runId: 'crashed-early', seconds: 2 }, () => false);
    const { htmlPath, csvFiles } = await writeRunReport(empty);
    const html = await readFile(htmlPath, 'utf8');
    expect(html).toContain('No profile results were found');
    expect(html).toContain('Partial run: 8 of 8 profiles have no result');
    expect(html.match(/data-chart="/g)).toBeNull();
    // Nothing to judge: no Replication section, no verdicts.json.
    expect(csvFiles).toHaveLength(13);
    expect(html).not.toContain('id="replication"');
    await expect(stat(join(empty, 'verdicts.json'))).rejects.toThrow(/ENOENT/);
  });

  it("writes the run's verdicts to verdicts.json, judged again from the folder each time", async () => {
    const file = join(dir, 'verdicts.json');
    const verdicts = JSON.parse(await readFile(file, 'utf8')) as { id: string; status: string }[];
    expect(verdicts.map((v) => v.id)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'C12', 'C13', 'C14']);
    expect(verdicts.every((v) => Object.keys(v).join() === 'id,claim,source,status,evidence')).toBe(true);
    // A 20 s synthetic run: the collapse claims need longer windows.
    expect(verdicts.filter((v) => ['C6', 'C7', 'C8', 'C9'].includes(v.id)).map((v) => v.status)).toEqual(['untestable', 'untestable', 'untestable', 'untestable']);
    await writeFile(file, 'stale');
    await writeRunReport(dir);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(verdicts);
  });
});

describe('writeIndex', () => {
  it('lists every run with a link to its report and compares the two newest', async () => {
    const root = await tempRoot();
    const runs = join(root, 'runs');
    await writeRunFolder(runs, { runId: 'monday', seconds: 5, createdAt: '2026-01-05T02:00:00.000Z' });
    await writeRunFolder(runs, { runId: 'tuesday', seconds: 5, createdAt: '2026-01-06T02:00:00.000Z', seed: 9 });
    await cp(fixture, join(runs, 'partial-synthetic'), { recursive: true });
    const out = await writeIndex(runs, join(root, 'index.html'), new Date('2026-01-07T00:00:00Z'));
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<a href="runs/tuesday/index.html">tuesday</a>');
    expect(html).toContain('<a href="runs/partial-synthetic/index.html">partial-synthetic</a>');
    expect(html).toContain('Comparison: monday (A) → tuesday (B)');
    expect(html).toContain('2 of 4');
    expect(html).toContain('partial, 1 unreadable file(s), synthetic');
    expect(html.match(/data-chart="trend-/g)).toHaveLength(3);
    expect(loadedUrls(html).every((u) => u.startsWith('vendor/'))).toBe(true);
    expect(await readdir(join(root, 'vendor'))).toEqual(['vega-embed.min.js', 'vega-lite.min.js', 'vega.min.js']);
  });
});

describe('writeIndex and sweeps (issue 24)', () => {
  it('lists every sweep with a link to its report, what it varied and how many of its points are complete', async () => {
    const root = await tempRoot();
    const runs = join(root, 'runs');
    await writeRunFolder(runs, { runId: 'monday', seconds: 5, createdAt: '2026-01-05T02:00:00.000Z' });
    await writeSweepFolder(runs, 'grid', ['length=1,2', 'payload=1KB,64KB']);
    const { dir } = await writeSweepFolder(runs, 'unfinished', ['length=1,2']);
    await rm(join(dir, 'points', 'length-2', 'point.json'));
    const html = await readFile(await writeIndex(runs, join(root, 'index.html')), 'utf8');
    expect(html).toContain('1 run, 2 sweeps');
    expect(html).toContain('<a href="#sweeps">Sweeps</a>');
    const sweeps = html.slice(html.indexOf('<section id="sweeps">'));
    expect(sweeps).toContain('<a href="runs/grid/index.html">grid</a>');
    expect(sweeps).toContain('length=1,2 × payload=1KB,64KB');
    expect(sweeps).toMatch(/<td[^>]*>4 of 4<\/td>(?:<td[^>]*>[^<]*<\/td>)*<td[^>]*>complete<\/td>/);
    expect(sweeps).toMatch(/<td[^>]*>1 of 2<\/td>(?:<td[^>]*>[^<]*<\/td>)*<td[^>]*>partial<\/td>/);
    // A sweep's points are its own runs, not runs of the index.
    expect(html).not.toContain('points/length-1');
  });

  it('has no sweeps section when there is no sweep', async () => {
    const root = await tempRoot();
    await writeRunFolder(join(root, 'runs'), { runId: 'monday', seconds: 5 });
    const html = await readFile(await writeIndex(join(root, 'runs'), join(root, 'index.html')), 'utf8');
    expect(html).not.toContain('id="sweeps"');
  });
});

describe('the report writer and symbolic links in a run folder (issue 13)', () => {
  it('replaces a linked vendor script with a file, leaving the link target untouched', async () => {
    const root = await tempRoot();
    const victim = join(root, 'victim.js');
    await writeFile(victim, 'do not overwrite');
    const { dir } = await writeRunFolder(join(root, 'runs'), { runId: 'linked-vendor', seconds: 2, workers: [1] });
    await mkdir(join(dir, 'vendor'));
    await symlink(victim, join(dir, 'vendor', 'vega.min.js'));
    await writeRunReport(dir);
    expect(await readFile(victim, 'utf8')).toBe('do not overwrite');
    const written = await lstat(join(dir, 'vendor', 'vega.min.js'));
    expect(written.isSymbolicLink()).toBe(false);
    expect(written.size).toBeGreaterThan(50_000);
  });

  it('refuses a linked csv/ folder instead of writing into its target', async () => {
    const root = await tempRoot();
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    const { dir } = await writeRunFolder(join(root, 'runs'), { runId: 'linked-csv', seconds: 2, workers: [1] });
    await symlink(elsewhere, join(dir, 'csv'));
    await expect(writeRunReport(dir)).rejects.toThrow(/csv is a symbolic link/);
    expect(await readdir(elsewhere)).toEqual([]);
  });

  it('replaces a linked index.html (the page) and never writes through a planted temporary name', async () => {
    const root = await tempRoot();
    const victim = join(root, 'victim.html');
    await writeFile(victim, 'keep');
    const { dir } = await writeRunFolder(join(root, 'runs'), { runId: 'linked-page', seconds: 2, workers: [1] });
    await symlink(victim, join(dir, 'index.html'));
    // The old writer's temporary name was predictable: a link planted there was written through.
    for (const pid of [process.pid]) await symlink(victim, join(dir, `index.html.${pid}.tmp`));
    await writeRunReport(dir);
    expect(await readFile(victim, 'utf8')).toBe('keep');
    expect((await lstat(join(dir, 'index.html'))).isSymbolicLink()).toBe(false);
  });
});

describe('reading badly shaped runs (issue 13)', () => {
  it('leaves a profile without latency out as a problem, and the index still lists every other run', async () => {
    const root = await tempRoot();
    const runs = join(root, 'runs');
    await writeRunFolder(runs, { runId: 'good', seconds: 3, workers: [1], createdAt: '2026-01-05T02:00:00.000Z' });
    const { dir, profiles } = await writeRunFolder(runs, { runId: 'bad-profile', seconds: 3, workers: [1], systems: ['p2p'] });
    const broken: Record<string, unknown> = { ...profiles[0] };
    delete broken.latency;
    await writeFile(join(dir, 'profiles', 'p2p-w1.json'), JSON.stringify(broken));
    const { dir: badManifest, manifest } = await writeRunFolder(runs, { runId: 'bad-manifest', seconds: 3, workers: [1] });
    await writeFile(join(badManifest, 'manifest.json'), JSON.stringify({ ...manifest, profiles: 5 }));

    const { problems } = await writeRunReport(dir);
    expect(problems).toEqual(['profiles/p2p-w1.json: latency is missing, expected a value']);
    const { problems: manifestProblems } = await writeRunReport(badManifest);
    expect(manifestProblems[0]).toBe('manifest.json: profiles is 5, expected a list');

    const html = await readFile(await writeIndex(runs, join(root, 'index.html')), 'utf8');
    for (const run of ['good', 'bad-profile', 'bad-manifest']) expect(html).toContain(`<a href="runs/${run}/index.html">${run}</a>`);
  });
});
