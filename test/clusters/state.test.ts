/**
 * Cluster state folders under hostile input (issue 25's attack, repeated on `cluster`): a state
 * file that is damaged, of the wrong shape, another cluster's, a FIFO or reached through a link is
 * refused in one line, and `up` writes nothing through a link planted at the cluster's name.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterDir, readState, readStateIfAny, writeState, type ClusterState } from '../../clusters/state.ts';
import { FogbenchError } from '../../harness/errors.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fogbench-state-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const state = (cluster: string): ClusterState => ({
  stateVersion: 1,
  cluster,
  provider: 'multipass',
  phase: 'ready',
  createdAt: '2026-12-06T00:00:00.000Z',
  k3sVersion: 'v1.31.4+k3s1',
  sshUser: 'fogbench',
  nodes: [{ name: `${cluster}-server`, role: 'server', label: 'core', ip: null, cpus: 1, memoryMiB: 2048 }],
  providerData: {},
});

async function refusal(promise: Promise<unknown>): Promise<FogbenchError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FogbenchError);
  expect((error as FogbenchError).code).toBe('usage');
  expect((error as Error).message).not.toContain('\n');
  return error as FogbenchError;
}

describe('reading a cluster state', () => {
  it('reads back what it wrote', async () => {
    const dir = clusterDir(root, 'lab');
    await writeState(dir, state('lab'));
    expect(await readState(dir)).toEqual(state('lab'));
  });

  it('refuses a state file that is not JSON, in one line', async () => {
    const dir = clusterDir(root, 'lab');
    await mkdir(dir);
    await writeFile(join(dir, 'state.json'), '{');
    expect((await refusal(readState(dir))).message).toMatch(/state\.json is not a cluster state .*JSON/);
  });

  it('refuses a state without its nodes (down read their count and failed with a TypeError)', async () => {
    const dir = clusterDir(root, 'lab');
    await mkdir(dir);
    const { nodes: _, ...partial } = state('lab');
    await writeFile(join(dir, 'state.json'), JSON.stringify(partial));
    expect((await refusal(readState(dir))).message).toMatch(/nodes is missing/);
  });

  it("refuses another cluster's state copied into this cluster's folder (down would stop that cluster)", async () => {
    const dir = clusterDir(root, 'lab');
    await mkdir(dir);
    await writeFile(join(dir, 'state.json'), JSON.stringify(state('other')));
    expect((await refusal(readState(dir))).message).toMatch(/records cluster "other", not "lab"/);
  });

  it('refuses a FIFO planted as state.json at once instead of blocking', async () => {
    const dir = clusterDir(root, 'lab');
    await mkdir(dir);
    execFileSync('mkfifo', [join(dir, 'state.json')]);
    expect((await refusal(readState(dir))).message).toMatch(/is a FIFO/);
  });

  it('refuses a cluster folder that is a link, and state.json as a link', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'fogbench-state-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'state.json'), JSON.stringify(state('lab')));
      await symlink(elsewhere, clusterDir(root, 'lab'));
      expect((await refusal(readState(clusterDir(root, 'lab')))).message).toMatch(/is a symbolic link/);
      await mkdir(clusterDir(root, 'other'));
      await symlink(join(elsewhere, 'state.json'), join(clusterDir(root, 'other'), 'state.json'));
      expect((await refusal(readState(clusterDir(root, 'other')))).message).toMatch(/is a symbolic link/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('says there is no state when the folder or its state.json is missing', async () => {
    expect(await readStateIfAny(clusterDir(root, 'lab'))).toBeNull();
    await mkdir(clusterDir(root, 'lab'));
    expect((await refusal(readState(clusterDir(root, 'lab')))).message).toMatch(/no cluster state in/);
  });
});

describe('writing a cluster state', () => {
  it('writes nothing through a link planted at the cluster name', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'fogbench-state-elsewhere-'));
    try {
      await symlink(elsewhere, clusterDir(root, 'lab'));
      expect((await refusal(writeState(clusterDir(root, 'lab'), state('lab')))).message).toMatch(/is a symbolic link/);
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('replaces a link planted as state.json instead of writing into its target', async () => {
    const victim = join(root, 'victim.json');
    await writeFile(victim, 'untouched');
    const dir = clusterDir(root, 'lab');
    await mkdir(dir);
    await symlink(victim, join(dir, 'state.json'));
    await writeState(dir, state('lab'));
    expect(await readFile(victim, 'utf8')).toBe('untouched');
    expect((await readState(dir)).cluster).toBe('lab');
  });
});
