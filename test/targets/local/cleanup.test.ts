/**
 * Ownership by record (issue 13): `--cleanup` and every fog start remove exactly what the record
 * of a dead owner lists; objects named like fogbench's but listed by no record (another tool's
 * `fbf…` bridge, namespace and cgroup, with processes inside) are never touched, nor are the
 * objects of a live owner. Every object here is the test's own; the records go to a folder of
 * the test's own.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

function record(root: string, objects: { namespaces: string[]; interfaces: string[]; cgroups: string[] }, owner: { pid: number; startTicks: string | null }): void {
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
    expect(report.owners).toEqual([{ root, runId: `test-${root}`, pid: expect.any(Number), namespaces: objects.namespaces, interfaces: [`${root}p0`, `${root}br`], cgroups: [root] }]);
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

  it("a fog target's start removes what a dead owner left, saying what it removed, then runs as usual", async () => {
    const root = `fbf${newTag()}`;
    const objects = makeObjects(root);
    record(root, { namespaces: objects.namespaces, interfaces: objects.interfaces, cgroups: [] }, deadOwner());
    const said: string[] = [];
    const target = createFogTarget({ runId: 'cleanup-start', topologyFile: TEST_TOPOLOGY, ownerDir, progress: (m) => said.push(m) });
    try {
      await target.prepare();
      expect(said).toEqual([expect.stringMatching(new RegExp(`^removed what run test-${root} \\(pid \\d+, gone\\) left: 1 namespaces \\(${root}-svc-0\\), \\d interfaces`))]);
      expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
      // Its own record lists what it made, by name.
      const own = target.describe().details.objectPrefix as string;
      const recorded = JSON.parse(execFileSync('cat', [path.join(ownerDir, `${own}.json`)], { encoding: 'utf8' })) as { objects: { interfaces: string[]; cgroups: string[] } };
      expect(recorded.objects.interfaces).toContain(`${own}br`);
      expect(recorded.objects.cgroups).toEqual([own]);
    } finally {
      await target.dispose();
    }
    expect(readdirSync(ownerDir)).toEqual([]);
  });
});
