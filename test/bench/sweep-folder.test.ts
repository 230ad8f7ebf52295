/**
 * A sweep folder under odd or hostile contents (issue 25): two resumes at once, a lock taken over,
 * a linked points/, a FIFO as sweep.json, tampered sweep.json and point.json. Points are run by a
 * stand-in for runBench that writes a synthetic run folder, so only the sweep's own handling of its
 * folder is under test.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSweep, type SweepDeps } from '../../harness/bench/sweep.ts';
import { parseSweepAxis } from '../../harness/bench/sweep-spec.ts';
import { CHAIN_DEFAULTS } from '../../harness/dataflow/synthetic-chain.ts';
import { readSweep } from '../../harness/report/sweep-read.ts';
import { buildSweepReport } from '../../harness/report/sweep-report.ts';
import { benchOptions } from '../helpers/bench-options.ts';
import { tempDir } from '../helpers/temp.ts';
import { syntheticSweepDeps } from '../report/sweep-folder.ts';

const axes = () => [parseSweepAxis('length=1,2')];

/** Deps whose runBench writes a synthetic run for each point (after `delayMs`), recording which. */
function fakeDeps(ran: string[], options: { delayMs?: number; during?: () => void } = {}): SweepDeps {
  return syntheticSweepDeps(async (o) => {
    ran.push(o.runId);
    options.during?.();
    await new Promise((r) => setTimeout(r, options.delayMs ?? 0));
  });
}

const attempt = (p: Promise<unknown>) => p.then(() => 'done', (e: Error) => e.message);

describe('a sweep folder', () => {
  // Issue 25, finding 5: the lock was read, then written: two resumes started together both ran
  // the same points.
  it('issue 25 #5: lets one of two sweeps started together run, and refuses the other in one line', async () => {
    const runs = path.join(tempDir('fogbench-sweep-lock-'), 'runs');
    const first: string[] = [];
    const second: string[] = [];
    const input = { options: benchOptions(runs, 'twice'), base: CHAIN_DEFAULTS, axes: axes() };
    const results = await Promise.all([attempt(runSweep(input, fakeDeps(first, { delayMs: 100 }))), attempt(runSweep(input, fakeDeps(second, { delayMs: 100 })))]);
    console.log(`two at once: ${JSON.stringify(results)}; points run: ${JSON.stringify([first, second])}`);
    expect(results.filter((r) => r === 'done')).toHaveLength(1);
    expect(results.find((r) => r !== 'done')).toMatch(/^sweep twice is being run by process \d+; wait for it or stop it first$/);
    expect([...first, ...second].sort()).toEqual(['length-1', 'length-2']);
    expect(existsSync(path.join(runs, 'twice', 'sweep.lock'))).toBe(false);
  });

  // ... and release() deleted a lock it no longer held.
  it('issue 25 #5: leaves in place a lock that is no longer its own when it ends', async () => {
    const runs = path.join(tempDir('fogbench-sweep-lock-'), 'runs');
    const lock = path.join(runs, 'taken', 'sweep.lock');
    // Another (live) process's lock replaces this one while the sweep runs: as after a takeover.
    const other = JSON.stringify({ kind: 'fogbench.sweep-lock', pid: process.ppid, startTicks: null, token: 'someone-else', since: new Date().toISOString() });
    const outcome = await attempt(runSweep({ options: benchOptions(runs, 'taken'), base: CHAIN_DEFAULTS, axes: axes() }, fakeDeps([], { during: () => writeFileSync(lock, other) })));
    expect(outcome).toBe('done');
    expect(readFileSync(lock, 'utf8')).toBe(other);
  });

  // Issue 25, finding 6: a resume followed a linked points/, deleting and writing in its target.
  it('issue 25 #6: refuses a linked points/ without touching what it points to', async () => {
    const root = tempDir('fogbench-sweep-link-');
    const runs = path.join(root, 'runs');
    const input = { options: benchOptions(runs, 'linked'), base: CHAIN_DEFAULTS, axes: axes() };
    await runSweep({ ...input, axes: [parseSweepAxis('length=1')] }, fakeDeps([]));
    const victim = path.join(root, 'victim');
    mkdirSync(path.join(victim, 'length-2'), { recursive: true });
    writeFileSync(path.join(victim, 'length-2', 'keep.txt'), 'precious');
    execFileSync('rm', ['-r', path.join(runs, 'linked', 'points')]);
    symlinkSync(victim, path.join(runs, 'linked', 'points'));
    const ran: string[] = [];
    const message = await attempt(runSweep({ ...input, options: { ...input.options } }, fakeDeps(ran)));
    console.log(`linked points/: ${message}`);
    expect(message).toMatch(/points is a symbolic link; fogbench follows no link and opens only regular files inside the folders it keeps \(runs, sweeps, builds, cluster state\): remove it$/);
    expect(readFileSync(path.join(victim, 'length-2', 'keep.txt'), 'utf8')).toBe('precious');
    expect(existsSync(path.join(victim, 'length-2', 'point.json'))).toBe(false);
    expect(ran).toEqual([]);
  });

  // Issue 25, finding 7: a FIFO planted as sweep.json blocked the read (and a libuv worker) for good.
  it('issue 25 #7: refuses a FIFO as sweep.json at once', async () => {
    const runs = path.join(tempDir('fogbench-sweep-fifo-'), 'runs');
    mkdirSync(path.join(runs, 'piped'), { recursive: true });
    const fifo = path.join(runs, 'piped', 'sweep.json');
    execFileSync('mkfifo', [fifo]);
    const run = attempt(runSweep({ options: benchOptions(runs, 'piped'), base: CHAIN_DEFAULTS, axes: axes() }, fakeDeps([])));
    const outcome = await Promise.race([run, new Promise<string>((r) => setTimeout(() => r('still blocked after 3 s'), 3_000))]);
    console.log(`FIFO sweep.json: ${outcome}`);
    if (outcome === 'still blocked after 3 s') {
      // Free the blocked open (a writer arrives, then leaves), so this test process can end.
      closeSync(openSync(fifo, constants.O_WRONLY));
      await run;
    }
    expect(outcome).toMatch(/sweep\.json is a FIFO; fogbench follows no link and opens only regular files/);
  });

  // Issue 25, finding 8: `"options": null` ended in "unexpected error (a bug…)" with a TypeError.
  it('issue 25 #8: refuses a tampered sweep.json in one line', async () => {
    const runs = path.join(tempDir('fogbench-sweep-tamper-'), 'runs');
    const input = { options: benchOptions(runs, 'tampered'), base: CHAIN_DEFAULTS, axes: axes() };
    await runSweep(input, fakeDeps([]));
    const file = path.join(runs, 'tampered', 'sweep.json');
    const sweep = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...sweep, options: null }));
    const message = await attempt(runSweep(input, fakeDeps([])));
    console.log(`options null: ${message}`);
    expect(message).toMatch(/sweep\.json is not a sweep fogbench wrote \(remove the folder or give another --run-id\): options is null, expected an object$/);
    expect(message).not.toContain('\n');
  });

  // ... and a tampered point.json shape gave a NaN cost model silently, or a RangeError.
  it('issue 25 #8: leaves a point whose point.json has another shape out of the model, named, and runs it again on a resume', async () => {
    const runs = path.join(tempDir('fogbench-sweep-tamper-'), 'runs');
    const input = { options: benchOptions(runs, 'points'), base: CHAIN_DEFAULTS, axes: axes() };
    await runSweep(input, fakeDeps([]));
    const file = path.join(runs, 'points', 'points', 'length-2', 'point.json');
    const record = JSON.parse(readFileSync(file, 'utf8')) as { shape: Record<string, unknown> };
    writeFileSync(file, JSON.stringify({ ...record, shape: { ...record.shape, length: 1e308, hopBytes: 'lots' } }));
    const data = await readSweep(path.join(runs, 'points'));
    console.log(`tampered point.json: pending ${JSON.stringify(data.pending)}; problems ${JSON.stringify(data.problems)}`);
    expect(data.pending).toEqual(['length-2']);
    expect(data.problems.join('\n')).toMatch(/length-2: .*point\.json is not a sweep point record: shape\.length is 1e\+308, expected a whole number from 1 to 1000 \(and 1 more\)/);
    expect(() => buildSweepReport(data)).not.toThrow();
    const ran: string[] = [];
    await runSweep(input, fakeDeps(ran));
    expect(ran).toEqual(['length-2']);
  });
});

describe('a sweep folder, other places for a link or a non-regular file', () => {
  /** A sweep with its two points complete, and what a resume then does. */
  async function complete(name: string) {
    const root = tempDir('fogbench-sweep-variant-');
    const runs = path.join(root, 'runs');
    const input = { options: benchOptions(runs, name), base: CHAIN_DEFAULTS, axes: axes() };
    await runSweep(input, fakeDeps([]));
    const resume = async () => {
      const ran: string[] = [];
      return { message: await attempt(runSweep(input, fakeDeps(ran))), ran };
    };
    return { root, dir: path.join(runs, name), resume };
  }

  it('runs again a point whose folder is a link, removing the link, not what it points to', async () => {
    const { root, dir, resume } = await complete('point-link');
    const victim = path.join(root, 'victim');
    mkdirSync(victim);
    writeFileSync(path.join(victim, 'keep.txt'), 'precious');
    execFileSync('rm', ['-r', path.join(dir, 'points', 'length-2')]);
    symlinkSync(victim, path.join(dir, 'points', 'length-2'));
    const { message, ran } = await resume();
    expect(message).toBe('done');
    expect(ran).toEqual(['length-2']);
    expect(readdirSync(victim)).toEqual(['keep.txt']);
  });

  it('runs again, at once, a point whose point.json is a FIFO or a folder', async () => {
    const { dir, resume } = await complete('point-fifo');
    execFileSync('rm', [path.join(dir, 'points', 'length-1', 'point.json'), path.join(dir, 'points', 'length-2', 'point.json')]);
    execFileSync('mkfifo', [path.join(dir, 'points', 'length-1', 'point.json')]);
    mkdirSync(path.join(dir, 'points', 'length-2', 'point.json'));
    const { message, ran } = await resume();
    expect(message).toBe('done');
    expect(ran).toEqual(['length-1', 'length-2']);
  });

  it('refuses a lock that is a link, and a sweep.json that is a folder, in one line, touching neither target', async () => {
    const linked = await complete('lock-link');
    const victim = path.join(linked.root, 'victim.txt');
    writeFileSync(victim, 'precious');
    symlinkSync(victim, path.join(linked.dir, 'sweep.lock'));
    expect((await linked.resume()).message).toMatch(/sweep\.lock is a symbolic link; fogbench follows no link and opens only regular files inside the folders it keeps \(runs, sweeps, builds, cluster state\): remove it$/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    const folder = await complete('json-folder');
    execFileSync('rm', [path.join(folder.dir, 'sweep.json')]);
    mkdirSync(path.join(folder.dir, 'sweep.json'));
    expect((await folder.resume()).message).toMatch(/sweep\.json is a folder; fogbench follows no link/);
  });
});
