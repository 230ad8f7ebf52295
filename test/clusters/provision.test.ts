/**
 * `cluster up` bookkeeping with a provider that fails the way a real one does half-way, and
 * `cluster down` cleaning up after it; plus the SSH error for a node that does not answer.
 * (The SSH-driven K3s install itself needs VMs and is not exercised here.)
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../clusters/config.ts';
import { clusterDown, clusterUp, type ClusterTools } from '../../clusters/provision.ts';
import type { VmProvider } from '../../clusters/provider.ts';
import { commandRunner, INSTALL_HINTS } from '../../clusters/run-command.ts';
import { connectNode } from '../../clusters/ssh.ts';
import { clusterDir, readState, stateFiles } from '../../clusters/state.ts';
import { environmentError, FogbenchError } from '../../harness/errors.ts';
import { hasTool } from './tool-check.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fogbench-provision-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function failingProvider(destroyed: string[]): VmProvider {
  return {
    name: 'multipass',
    sshUser: 'fogbench',
    checkInstalled: async () => '1.13.1',
    create: async () => {
      throw environmentError('multipass launch lab-agent-2 failed: insufficient memory');
    },
    status: async (state) => state.nodes.map((n) => ({ name: n.name, state: 'running', ip: null })),
    destroy: async (state) => void destroyed.push(...state.nodes.map((n) => n.name)),
    stateData: () => ({}),
  };
}

describe.skipIf(!hasTool('ssh-keygen', 'openssh-client'))('cluster up and down bookkeeping', () => {
  it('records a failed up so that down can remove what was made; secrets are 0600', async () => {
    const destroyed: string[] = [];
    const progress: string[] = [];
    const tools: ClusterTools = { run: commandRunner(INSTALL_HINTS), provider: () => failingProvider(destroyed), progress: (m) => progress.push(m) };
    const options = { cluster: 'lab', provider: 'multipass' as const, agents: 2, stateRoot: root, config: await loadClusterConfig(), readyTimeoutMs: 1_000 };
    await expect(clusterUp(options, tools)).rejects.toThrow(/insufficient memory/);

    const dir = clusterDir(root, 'lab');
    const files = stateFiles(dir);
    const state = await readState(dir);
    expect(state).toMatchObject({ cluster: 'lab', provider: 'multipass', phase: 'failed', k3sVersion: 'v1.30.6+k3s1', sshUser: 'fogbench' });
    expect(state.nodes.map((n) => n.name)).toEqual(['lab-server', 'lab-agent-1', 'lab-agent-2']);
    for (const secret of [files.privateKey, files.token]) expect((await stat(secret)).mode & 0o777).toBe(0o600);
    expect(await readFile(files.token, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(await readFile(files.publicKey, 'utf8')).toMatch(/^ssh-ed25519 \S+ fogbench-lab\n$/);
    expect(JSON.stringify(state)).not.toContain((await readFile(files.token, 'utf8')).trim());
    expect(progress[0]).toBe('multipass 1.13.1');

    await clusterDown({ cluster: 'lab', stateRoot: root }, tools);
    expect(destroyed).toEqual(['lab-server', 'lab-agent-1', 'lab-agent-2']);
    await expect(readState(dir)).rejects.toThrow(/no cluster state in/);
  });

  it('down without state says how to make a cluster', async () => {
    const tools: ClusterTools = { run: commandRunner(INSTALL_HINTS), provider: () => failingProvider([]), progress: () => {} };
    const error = await clusterDown({ cluster: 'nope', stateRoot: root }, tools).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/no cluster state in .*nope: create the cluster with `npm run cluster -- up`/);
  });
});

describe('ssh to a node that does not answer', () => {
  it('gives up at the deadline with a one-line environment error', async () => {
    const error = await connectNode({ host: '127.0.0.1', port: 1, username: 'fogbench', privateKeyPath: join(root, 'missing-key') }, { timeoutMs: 300, retryDelayMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('environment');
    expect((error as Error).message).toMatch(/^cannot SSH to fogbench@127\.0\.0\.1 with .*missing-key: .*; is the VM running\?$/);
  });
});
