/**
 * `cluster up` bookkeeping with a provider that fails the way a real one does half-way, and
 * `cluster down` cleaning up after it; plus the SSH error for a node that does not answer.
 * (The SSH-driven K3s install itself needs VMs and is not exercised here.)
 */
import { link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../clusters/config.ts';
import { clusterDown, clusterUp, type ClusterTools } from '../../clusters/provision.ts';
import type { VmProvider } from '../../clusters/provider.ts';
import { commandRunner, INSTALL_HINTS } from '../../clusters/run-command.ts';
import { connectNode, type NodeShell } from '../../clusters/ssh.ts';
import { installNode, writeRootFileCommand } from '../../clusters/k3s-install.ts';
import { clusterDir, readState, removeClusterDir, stateFiles, writeSecret } from '../../clusters/state.ts';
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

describe('cluster state folders (issue 13)', () => {
  const tools: ClusterTools = { run: commandRunner(INSTALL_HINTS), provider: () => failingProvider([]), progress: () => {} };

  it.each(['..', '.', '.hidden', 'a/b', ''])('refuses the cluster name %j before touching anything', async (name) => {
    const sibling = join(root, 'keep-me');
    await mkdir(join(root, 'state'), { recursive: true });
    await writeFile(sibling, 'precious');
    // A state.json where `..` would point: the old code then deleted the whole parent folder.
    await writeFile(join(root, 'state.json'), JSON.stringify({ stateVersion: 1, cluster: name, provider: 'multipass', nodes: [] }));
    const error = await clusterDown({ cluster: name, stateRoot: join(root, 'state'), forget: true }, tools).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('usage');
    expect((error as Error).message).toMatch(/cluster name .* cannot be used as a folder name/);
    expect(await readFile(sibling, 'utf8')).toBe('precious');
  });

  it('removes only a real folder whose state.json records that very cluster', async () => {
    const dir = join(root, 'lab');
    await mkdir(dir);
    await writeFile(join(dir, 'state.json'), JSON.stringify({ stateVersion: 1, cluster: 'other', provider: 'multipass', nodes: [] }));
    await expect(removeClusterDir(dir, 'lab')).rejects.toThrow(/does not hold the state of cluster lab; nothing was removed/);
    expect((await stat(dir)).isDirectory()).toBe(true);
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(join(elsewhere, 'state.json'), JSON.stringify({ stateVersion: 1, cluster: 'linked', provider: 'multipass', nodes: [] }));
    await symlink(elsewhere, join(root, 'linked'));
    await expect(removeClusterDir(join(root, 'linked'), 'linked')).rejects.toThrow(/it is a symbolic link\); nothing was removed/);
    expect((await stat(join(elsewhere, 'state.json'))).isFile()).toBe(true);
  });
});

describe('secrets (issue 13)', () => {
  it('writes a secret over an existing readable file without the secret ever being in that file', async () => {
    const file = join(root, 'k3s-token');
    await writeFile(file, 'old\n', { mode: 0o644 });
    // Anyone who had the old file open (or linked) must not see the new secret.
    const peek = join(root, 'peek');
    await link(file, peek);
    await writeSecret(file, 'new secret\n');
    expect(await readFile(file, 'utf8')).toBe('new secret\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(peek, 'utf8')).toBe('old\n');
    expect((await readdir(root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('creates the K3s config 0600 from the start, and runs the installer from a mktemp folder', async () => {
    const commands: string[] = [];
    const uploads: string[] = [];
    const shell: NodeShell = {
      host: 'lab-server',
      exec: async (command) => {
        commands.push(command);
        return { stdout: command.startsWith('mktemp -d') ? '/tmp/fogbench.Ab12Cd34Ef\n' : '', stderr: '', code: 0 };
      },
      putFile: async (_local, remote) => void uploads.push(remote),
      getFile: async () => {},
      putDirectory: async () => {},
      dispose: () => {},
    };
    const node = { name: 'lab-server', role: 'server' as const, label: 'core' as const, size: { cpus: 2, memoryMiB: 4096, diskGiB: 10 } };
    await installNode(shell, node as never, [{ path: '/etc/rancher/k3s/config.yaml', content: 'token: s3cret\n', mode: '0600' }], 'v1.30.6+k3s1');
    const write = commands.find((c) => c.includes('config.yaml'))!;
    expect(write).not.toMatch(/\btee\b/);
    expect(write).toMatch(/mktemp "\$1\/\.fogbench\.XXXXXXXX"/);
    expect(write.indexOf('chmod')).toBeLessThan(write.indexOf('mv -f'));
    expect(uploads).toEqual(['/tmp/fogbench.Ab12Cd34Ef/install-k3s.sh']);
    expect(commands.some((c) => c.startsWith("sudo sh '/tmp/fogbench.Ab12Cd34Ef/install-k3s.sh' server"))).toBe(true);
    expect(commands.filter((c) => c.includes('/tmp/fogbench-'))).toEqual([]);
    expect(commands.at(-1)).toBe("rm -rf '/tmp/fogbench.Ab12Cd34Ef'");
  });

  it('writes the K3s config with a command that really leaves a 0600 file (run locally)', async () => {
    const target = join(root, 'etc', 'config.yaml');
    const command = writeRootFileCommand(target, '0600').replaceAll('sudo ', '');
    const { execFileSync } = await import('node:child_process');
    execFileSync('/bin/sh', ['-c', command], { input: 'token: s3cret\n' });
    expect(await readFile(target, 'utf8')).toBe('token: s3cret\n');
    expect((await stat(target)).mode & 0o777).toBe(0o600);
    expect((await readdir(join(root, 'etc'))).filter((n) => n !== 'config.yaml')).toEqual([]);
  });
});
