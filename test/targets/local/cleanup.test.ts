/**
 * Ownership by record (issue 13): `--cleanup` and every fog start remove exactly what the record
 * of a dead owner lists; objects named like fogbench's but listed by no record (another tool's
 * `fbf…` bridge, namespace and cgroup, with processes inside) are never touched, nor are the
 * objects of a live owner. Every object here is the test's own; the records go to a folder of
 * the test's own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../harness/targets/local/cgroups.ts';
import { cleanupLeftovers } from '../../../harness/targets/local/cleanup.ts';
import { createFogTarget } from '../../../harness/targets/local/fog-target.ts';
import { newTag } from '../../../harness/targets/local/names.ts';
import { processStart } from '../../../harness/targets/local/owner.ts';
import { leftovers, processAlive, skipReasonPrinted, TEST_TOPOLOGY } from './fog-host.ts';

const skip = skipReasonPrinted();
const ownerDir = mkdtempSync(path.join(os.tmpdir(), 'fogbench-cleanup-owners-'));
const made: string[] = [];
const sleepers: ChildProcess[] = [];

/** A fog-looking set of objects under `root`: a namespace, a bridge, a veth pair and a cgroup, each with a process. */
function makeObjects(root: string): { namespaces: string[]; interfaces: string[]; cgroups: string[]; pids: number[] } {
  made.push(root);
  const netns = `${root}-svc-0`;
  execFileSync('ip', ['netns', 'add', netns]);
  execFileSync('ip', ['link', 'add', `${root}br`, 'type', 'bridge']);
  execFileSync('ip', ['link', 'add', `${root}p0`, 'type', 'veth', 'peer', 'name', `${root}u0`]);
  const inNetns = spawn('ip', ['netns', 'exec', netns, 'sleep', '300'], { stdio: 'ignore' });
  const inGroup = spawn('sleep', ['300'], { stdio: 'ignore' });
  sleepers.push(inNetns, inGroup);
  return { namespaces: [netns], interfaces: [`${root}br`, `${root}p0`, `${root}u0`], cgroups: [root], pids: [inNetns.pid!, inGroup.pid!] };
}

async function joinGroup(root: string, pid: number): Promise<void> {
  const cgroups = detectCgroups();
  await cgroups.create(`${root}/x`, { cpus: null, memoryBytes: null });
  for (const file of cgroups.procsFiles(`${root}/x`)) writeFileSync(file, String(pid));
}

function record(root: string, objects: { namespaces: string[]; interfaces: string[]; cgroups: string[]; folders?: string[] }, owner: { pid: number; startTicks: string | null }): void {
  writeFileSync(path.join(ownerDir, `${root}.json`), JSON.stringify({ version: 2, root, ...owner, runId: `test-${root}`, createdAt: new Date().toISOString(), objects }));
}

/** An owner that is gone: a process that ran and ended. */
function deadOwner(): { pid: number; startTicks: string } {
  const out = execFileSync('/bin/sh', ['-c', 'echo $$; cat /proc/$$/stat'], { encoding: 'utf8' }).split('\n');
  return { pid: Number(out[0]), startTicks: out[1]!.slice(out[1]!.lastIndexOf(')') + 2).split(' ')[19]! };
}

afterEach(() => {
  for (const f of readdirSync(ownerDir)) rmSync(path.join(ownerDir, f));
});

afterAll(async () => {
  for (const s of sleepers) s.kill('SIGKILL');
  // Whatever a failed test left of the test's own objects.
  const quietly = (args: string[]) => {
    try {
      execFileSync('ip', args, { stdio: 'ignore' });
    } catch {
      // already gone (a veth goes with its peer)
    }
  };
  for (const root of made) {
    for (const ns of leftovers(root).namespaces) quietly(['netns', 'del', ns]);
    for (const link of leftovers(root).interfaces) quietly(['link', 'del', link]);
    await detectCgroups().remove(root).catch(() => undefined);
  }
  rmSync(ownerDir, { recursive: true, force: true });
});

describe.skipIf(skip)('cleanup by owner record', () => {
  it('never touches objects no record lists, even named fbf…, nor the processes in them', async () => {
    const root = `fbf${newTag()}`;
    const objects = makeObjects(root);
    await joinGroup(root, objects.pids[1]!);
    const report = await cleanupLeftovers({ ownerDir });
    expect(report).toMatchObject({ namespaces: [], interfaces: [], cgroups: [], owners: [] });
    const left = leftovers(root);
    expect(left.namespaces).toEqual(objects.namespaces);
    expect(left.interfaces.sort()).toEqual([...objects.interfaces].sort());
    expect(left.cgroups.length).toBeGreaterThan(0);
    expect(objects.pids.every(processAlive)).toBe(true);
  });

  it('removes exactly what a dead owner recorded, with its processes, and says what it removed', async () => {
    const root = `fbf${newTag()}`;
    const objects = makeObjects(root);
    await joinGroup(root, objects.pids[1]!);
    // Listed: the namespace, the bridge, one veth end, the cgroup. The foreign `${root}x9` is not.
    execFileSync('ip', ['link', 'add', `${root}x9`, 'type', 'bridge']);
    record(root, { namespaces: objects.namespaces, interfaces: [`${root}p0`, `${root}br`], cgroups: [root] }, deadOwner());
    const report = await cleanupLeftovers({ ownerDir });
    expect(report.owners).toEqual([{ root, runId: `test-${root}`, pid: expect.any(Number), namespaces: objects.namespaces, interfaces: [`${root}p0`, `${root}br`], cgroups: [root], folders: [] }]);
    expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [`${root}x9`], cgroups: [] });
    await new Promise((r) => setTimeout(r, 200));
    expect(objects.pids.filter(processAlive)).toEqual([]);
    expect(readdirSync(ownerDir)).toEqual([]);
    execFileSync('ip', ['link', 'del', `${root}x9`]);
  });

  it('leaves a live owner alone, and drops an old record that lists nothing without removing anything', async () => {
    const live = `fbf${newTag()}`;
    const old = `fbf${newTag()}`;
    const liveObjects = makeObjects(live);
    const oldObjects = makeObjects(old);
    record(live, { namespaces: liveObjects.namespaces, interfaces: liveObjects.interfaces, cgroups: [] }, { pid: process.pid, startTicks: processStart(process.pid) });
    writeFileSync(path.join(ownerDir, `${old}.json`), JSON.stringify({ ...deadOwner(), runId: 'older-fogbench' }));
    const report = await cleanupLeftovers({ ownerDir });
    expect(report.live).toEqual([live.slice(3)]);
    expect(report.namespaces).toEqual([]);
    expect(report.notes).toEqual([expect.stringMatching(/run older-fogbench .* lists no objects; nothing of it was removed/)]);
    expect(leftovers(live).namespaces).toEqual(liveObjects.namespaces);
    expect(leftovers(old).namespaces).toEqual(oldObjects.namespaces);
    expect(existsSync(path.join(ownerDir, `${live}.json`))).toBe(true);
    expect(existsSync(path.join(ownerDir, `${old}.json`))).toBe(false);
  });

  it("issue 24: removes a dead owner's recorded pod folders (its /tmp), never through a link, never another's", async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'fogbench-cleanup-folders-'));
    try {
      // Dead owner A: its folder holds pod folders, one with a link to a folder that is not its own.
      const a = `fbf${newTag()}`;
      const aDir = path.join(parent, a);
      const outside = path.join(parent, 'not-ours');
      mkdirSync(path.join(aDir, `${a}-svc-0`), { recursive: true });
      mkdirSync(outside);
      writeFileSync(path.join(outside, 'keep'), 'another program\'s file');
      writeFileSync(path.join(aDir, `${a}-svc-0`, 'of-watchdog.lock'), '');
      symlinkSync(outside, path.join(aDir, `${a}-svc-0`, 'link'));
      record(a, { namespaces: [], interfaces: [], cgroups: [], folders: [aDir] }, deadOwner());
      // Dead owner B: its recorded folder is now a link (someone else's folder): not followed, not removed.
      const b = `fbf${newTag()}`;
      symlinkSync(outside, path.join(parent, b));
      record(b, { namespaces: [], interfaces: [], cgroups: [], folders: [path.join(parent, b)] }, deadOwner());
      // Dead owner C: the folder belongs to another user now: left alone.
      const c = `fbf${newTag()}`;
      mkdirSync(path.join(parent, c, 'x'), { recursive: true });
      chownSync(path.join(parent, c), 65534, 65534);
      record(c, { namespaces: [], interfaces: [], cgroups: [], folders: [path.join(parent, c)] }, deadOwner());
      // Dead owner D: a record listing a folder not named after it (a damaged or hostile record).
      const d = `fbf${newTag()}`;
      record(d, { namespaces: [], interfaces: [], cgroups: [], folders: [outside] }, deadOwner());
      // Live owner E and an unrecorded fbf… folder F: never touched.
      const e = `fbf${newTag()}`;
      mkdirSync(path.join(parent, e, `${e}-svc-0`), { recursive: true });
      record(e, { namespaces: [], interfaces: [], cgroups: [], folders: [path.join(parent, e)] }, { pid: process.pid, startTicks: processStart(process.pid) });
      const f = `fbf${newTag()}`;
      mkdirSync(path.join(parent, f));

      const report = await cleanupLeftovers({ ownerDir });
      expect(report.folders).toEqual([aDir]);
      expect(existsSync(aDir)).toBe(false);
      expect(readFileSync(path.join(outside, 'keep'), 'utf8')).toBe('another program\'s file');
      expect(readdirSync(parent).sort()).toEqual([b, c, e, f, 'not-ours'].sort());
      expect(existsSync(path.join(parent, c, 'x'))).toBe(true);
      expect(existsSync(path.join(parent, e, `${e}-svc-0`))).toBe(true);
      expect(report.notes.join('\n')).toMatch(new RegExp(`${b}: .*link.*left alone`));
      expect(report.notes.join('\n')).toMatch(new RegExp(`${c}: .*another user.*left alone`));
      expect(report.notes.join('\n')).toContain(`not-ours: listed by the record of ${d} but not named after it; left alone`);
      expect(readdirSync(ownerDir)).toEqual([`${e}.json`]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("a fog target's start removes what a dead owner left, saying what it removed, then runs as usual", async () => {
    const root = `fbf${newTag()}`;
    const objects = makeObjects(root);
    record(root, { namespaces: objects.namespaces, interfaces: objects.interfaces, cgroups: [] }, deadOwner());
    const said: string[] = [];
    let ownTmp = '';
    const target = createFogTarget({ runId: 'cleanup-start', topologyFile: TEST_TOPOLOGY, ownerDir, progress: (m) => said.push(m) });
    try {
      await target.prepare();
      expect(said).toEqual([expect.stringMatching(new RegExp(`^removed what run test-${root} \\(pid \\d+, gone\\) left: 1 namespaces \\(${root}-svc-0\\), \\d interfaces`))]);
      expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
      // Its own record lists what it made, by name.
      const own = target.describe().details.objectPrefix as string;
      const recorded = JSON.parse(execFileSync('cat', [path.join(ownerDir, `${own}.json`)], { encoding: 'utf8' })) as { objects: { interfaces: string[]; cgroups: string[]; folders?: string[] } };
      expect(recorded.objects.interfaces).toContain(`${own}br`);
      expect(recorded.objects.cgroups).toEqual([own]);
      // ... and its pods' /tmp folder, made before any pod exists, so a SIGKILL cannot leave it unlisted (issue 24).
      expect(recorded.objects.folders).toEqual([path.join(os.tmpdir(), own)]);
      expect(existsSync(path.join(os.tmpdir(), own))).toBe(true);
      ownTmp = path.join(os.tmpdir(), own);
    } finally {
      await target.dispose();
    }
    expect(readdirSync(ownerDir)).toEqual([]);
    expect(existsSync(ownTmp)).toBe(false);
  });
});
