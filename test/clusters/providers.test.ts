/**
 * The multipass and Vagrant providers, driven through RECORDED tool output (the JSON and
 * machine-readable lines those tools print), plus the real "tool missing" path.
 */
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../clusters/config.ts';
import { launchArgs, MultipassProvider, parseMultipassInstances } from '../../clusters/multipass.ts';
import { planCluster } from '../../clusters/plan.ts';
import { commandRunner, INSTALL_HINTS, type CommandResult, type CommandRunner } from '../../clusters/run-command.ts';
import type { ClusterState } from '../../clusters/state.ts';
import { VagrantProvider } from '../../clusters/vagrant.ts';
import { machineReadableError, machineStates, parseMachineReadable } from '../../clusters/vagrantfile.ts';
import { FogbenchError } from '../../harness/errors.ts';
import { readFileSync } from 'node:fs';

const config = parseClusterConfig(readFileSync(new URL('../../clusters/sizes.yaml', import.meta.url), 'utf8'));

// Recorded from multipass 1.13 (`multipass info NAME --format json`), trimmed.
const MULTIPASS_INFO = JSON.stringify({
  errors: [],
  info: {
    'lab-server': { state: 'Running', ipv4: ['10.71.26.5'], release: 'Ubuntu 22.04.4 LTS', cpu_count: '2' },
    'lab-agent-1': { state: 'Running', ipv4: ['10.71.26.6', '10.42.1.0'], release: 'Ubuntu 22.04.4 LTS', cpu_count: '1' },
  },
});
const MULTIPASS_LIST = JSON.stringify({ list: [{ name: 'lab-server', state: 'Running', ipv4: ['10.71.26.5'], release: '22.04 LTS' }, { name: 'other', state: 'Stopped', ipv4: [], release: '' }] });

// Recorded shape of `vagrant status --machine-readable` (Vagrant 2.3).
const VAGRANT_STATUS = [
  '1732300000,lab-server,metadata,provider,virtualbox',
  '1732300000,lab-server,provider-name,virtualbox',
  '1732300000,lab-server,state,running',
  '1732300000,lab-server,state-human-short,running',
  '1732300000,lab-agent-1,state,poweroff',
  '1732300000,,ui,info,Current machine states:\\n\\nlab-server running (virtualbox)',
].join('\n');
const VAGRANT_ERROR = '1732300001,,error-exit,Vagrant::Errors::ProviderNotUsable,The provider \'libvirt\' that was requested to back the machine\\n\'lab-server\' is reporting that it isn\'t usable on this system.%!(VAGRANT_COMMA) sorry';

function scripted(answers: Record<string, CommandResult>, calls: string[][], inputs: (string | undefined)[] = []): CommandRunner {
  return async (command, args, options) => {
    calls.push([command, ...args]);
    inputs.push(options?.input);
    const key = `${command} ${args[0]}`;
    const answer = answers[key];
    if (!answer) throw new Error(`unexpected command ${key}`);
    return answer;
  };
}
const ok = (stdout: string): CommandResult => ({ stdout, stderr: '', exitCode: 0 });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-providers-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('multipass', () => {
  it('parses info and list JSON', () => {
    expect(parseMultipassInstances(MULTIPASS_INFO)).toEqual([
      { name: 'lab-server', state: 'running', ip: '10.71.26.5' },
      { name: 'lab-agent-1', state: 'running', ip: '10.71.26.6' },
    ]);
    expect(parseMultipassInstances(MULTIPASS_LIST)[1]).toEqual({ name: 'other', state: 'stopped', ip: null });
    expect(() => parseMultipassInstances('launch failed')).toThrow(FogbenchError);
  });

  it('launches each node with its size and its cloud-init user-data on stdin, then reads the addresses', async () => {
    const plan = planCluster({ cluster: 'lab', provider: 'multipass', agents: 1, config });
    const calls: string[][] = [];
    const inputs: (string | undefined)[] = [];
    // The state folder is hidden under $HOME (~/.fogbench): the multipass snap cannot read files there.
    const hidden = join(dir, '.fogbench', 'clusters', 'lab');
    await mkdir(hidden, { recursive: true });
    const provider = new MultipassProvider(scripted({ 'multipass launch': ok(''), 'multipass info': ok(MULTIPASS_INFO) }, calls, inputs));
    const addresses = await provider.create(plan, { dir: hidden, publicKey: 'ssh-ed25519 AAAA k', config, progress: () => {} });
    expect([...addresses]).toEqual([['lab-server', '10.71.26.5'], ['lab-agent-1', '10.71.26.6']]);
    expect(calls[0]).toEqual(['multipass', ...launchArgs(plan.nodes[0]!, '22.04')]);
    // No path is handed to multipass: the user-data travels on stdin.
    expect(calls[0]![calls[0]!.indexOf('--cloud-init') + 1]).toBe('-');
    for (const call of calls) expect(call.some((a) => a.includes('/.'))).toBe(false);
    expect(inputs[1]).toBe(await readFile(join(hidden, 'cloud-init-lab-agent-1.yaml'), 'utf8'));
    expect(inputs[1]).toContain('ssh-ed25519 AAAA k');
    expect(calls[0]).toEqual(expect.arrayContaining(['--cpus', '2', '--memory', '4096M']));
    expect(calls[1]).toEqual(expect.arrayContaining(['--cpus', '1', '--memory', '2048M']));
    expect(calls[2]).toEqual(['multipass', 'info', 'lab-server', 'lab-agent-1', '--format', 'json']);
    const cloudInit = await readFile(join(hidden, 'cloud-init-lab-agent-1.yaml'), 'utf8');
    expect(cloudInit.startsWith('#cloud-config\n')).toBe(true);
    expect((await stat(join(hidden, 'cloud-init-lab-agent-1.yaml'))).mode & 0o777).toBe(0o600);
  });

  it('the command runner hands `input` to the command\'s stdin', async () => {
    const result = await commandRunner(INSTALL_HINTS)('cat', [], { input: '#cloud-config\nhostname: x\n' });
    expect(result).toEqual({ stdout: '#cloud-config\nhostname: x', stderr: '', exitCode: 0 });
  });

  it('deletes only the VMs that still exist', async () => {
    const calls: string[][] = [];
    const provider = new MultipassProvider(scripted({ 'multipass list': ok(MULTIPASS_LIST), 'multipass delete': ok('') }, calls));
    const state = { nodes: [{ name: 'lab-server' }, { name: 'lab-agent-1' }] } as ClusterState;
    await provider.destroy(state);
    expect(calls[1]).toEqual(['multipass', 'delete', '--purge', 'lab-server']);
  });
});

describe('vagrant machine-readable output', () => {
  it('reads states and unescapes commas and newlines', () => {
    expect([...machineStates(VAGRANT_STATUS)]).toEqual([['lab-server', 'running'], ['lab-agent-1', 'poweroff']]);
    expect(parseMachineReadable(VAGRANT_STATUS).at(-1)!.data[1]).toContain('\n\nlab-server running');
    expect(machineReadableError(VAGRANT_ERROR)).toBe("The provider 'libvirt' that was requested to back the machine 'lab-server' is reporting that it isn't usable on this system., sorry");
    expect(parseMachineReadable(VAGRANT_ERROR)[0]!.data[1]).toContain('system., sorry');
  });

  it('reports status per planned node and a one-line error when vagrant up fails', async () => {
    const calls: string[][] = [];
    const provider = new VagrantProvider(scripted({ 'vagrant status': ok(VAGRANT_STATUS), 'vagrant up': { stdout: VAGRANT_ERROR, stderr: '', exitCode: 1 } }, calls), 'libvirt');
    const state = { cluster: 'lab', nodes: [{ name: 'lab-server', ip: '192.168.56.10' }, { name: 'lab-agent-1', ip: '192.168.56.11' }, { name: 'lab-agent-2', ip: '192.168.56.12' }], providerData: { vagrantDir: dir } } as unknown as ClusterState;
    expect(await provider.status(state)).toEqual([
      { name: 'lab-server', state: 'running', ip: '192.168.56.10' },
      { name: 'lab-agent-1', state: 'poweroff', ip: '192.168.56.11' },
      { name: 'lab-agent-2', state: 'absent', ip: '192.168.56.12' },
    ]);
    const plan = planCluster({ cluster: 'lab', provider: 'vagrant', agents: 1, config });
    const error = await provider.create(plan, { dir, publicKey: 'ssh-ed25519 AAAA k', config, progress: () => {} }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`vagrant up failed: The provider 'libvirt' that was requested to back the machine 'lab-server' is reporting that it isn't usable on this system., sorry (run \`vagrant status\` in ${dir})`);
    expect(calls.at(-1)).toEqual(['vagrant', 'up', '--provider', 'libvirt', '--machine-readable']);
    expect(await readFile(join(dir, 'Vagrantfile'), 'utf8')).toContain('"ip": "192.168.56.11"');
  });
});

describe('missing tools', () => {
  it('says what to install when multipass is not on PATH', async () => {
    const run = commandRunner(INSTALL_HINTS);
    const provider = new MultipassProvider(async (command, args, options) => run(`${command}-not-installed-here`, args, options));
    const error = await provider.checkInstalled().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('environment');
    expect((error as Error).message).toMatch(/^multipass-not-installed-here is not installed or not on PATH/);
    const named = await commandRunner({ 'no-such-vagrant': INSTALL_HINTS.vagrant! })('no-such-vagrant', ['--version']).catch((e: unknown) => e);
    expect((named as Error).message).toContain('install Vagrant and VirtualBox or vagrant-libvirt');
  });
});
