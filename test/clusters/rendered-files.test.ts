/**
 * What `cluster up` writes onto users' machines, checked by the tools that will read it:
 * cloud-init's own schema validator, `vagrant validate`, and shellcheck. No VM starts.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCloudInit } from '../../clusters/cloud-init.ts';
import { loadClusterConfig, type ClusterConfig } from '../../clusters/config.ts';
import { planCluster } from '../../clusters/plan.ts';
import { BOOTSTRAP_SOURCE } from '../../clusters/vagrant.ts';
import { renderVagrantfile, VAGRANT_BOOTSTRAP_SCRIPT } from '../../clusters/vagrantfile.ts';
import { hasTool } from './tool-check.ts';

const run = promisify(execFile);
const PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl fogbench-test';
const SCRIPTS = new URL('../../clusters/scripts/', import.meta.url);

let dir: string;
let config: ClusterConfig;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-render-'));
  config = await loadClusterConfig();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a validator; returns its exit code and output instead of throwing. */
async function validate(command: string, args: string[], cwd = dir): Promise<{ code: number; output: string }> {
  try {
    const r = await run(command, args, { cwd, env: { ...process.env, VAGRANT_CWD: cwd, VAGRANT_NO_COLOR: '1', VAGRANT_CHECKPOINT_DISABLE: '1' } });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe.skipIf(!hasTool('cloud-init', 'cloud-init'))('cloud-init user-data', () => {
  it('passes `cloud-init schema` for the server and for an agent', async () => {
    const plan = planCluster({ cluster: 'ci', provider: 'multipass', agents: 2, config });
    for (const node of [plan.nodes[0]!, plan.nodes[1]!]) {
      const file = join(dir, `cloud-init-${node.name}.yaml`);
      await writeFile(file, renderCloudInit(node, PUBLIC_KEY));
      const result = await validate('cloud-init', ['schema', '--config-file', file]);
      expect(result.output).toContain('Valid cloud-config');
      expect(result.code).toBe(0);
    }
  });

  it('would catch a broken file (the validator is not a rubber stamp)', async () => {
    const file = join(dir, 'broken.yaml');
    const text = renderCloudInit(planCluster({ cluster: 'ci', provider: 'multipass', agents: 1, config }).nodes[0]!, PUBLIC_KEY);
    await writeFile(file, text.replace('package_update: true', 'package_update: "sometimes"'));
    const result = await validate('cloud-init', ['schema', '--config-file', file]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/package_update/);
  });
});

describe.skipIf(!hasTool('vagrant', 'vagrant'))('generated Vagrantfile', () => {
  it('passes `vagrant validate --ignore-provider` with static addresses on the /24', { timeout: 60_000 }, async () => {
    const folder = await mkdtemp(join(dir, 'vagrant-'));
    const plan = planCluster({ cluster: 'vg', provider: 'vagrant', agents: 3, config });
    const text = renderVagrantfile(plan, config, PUBLIC_KEY);
    expect(text).toContain('"ip": "192.168.56.13"');
    expect(text).toMatch(/machine\.vm\.provider "virtualbox"/);
    expect(text).toMatch(/machine\.vm\.provider "libvirt"/);
    await writeFile(join(folder, 'Vagrantfile'), text);
    await copyFile(BOOTSTRAP_SOURCE, join(folder, VAGRANT_BOOTSTRAP_SCRIPT));
    const result = await validate('vagrant', ['validate', '--ignore-provider'], folder);
    expect(result.output).toContain('Vagrantfile validated successfully');
    expect(result.code).toBe(0);
  });

  it('would catch a broken Vagrantfile', { timeout: 60_000 }, async () => {
    const folder = await mkdtemp(join(dir, 'vagrant-bad-'));
    const plan = planCluster({ cluster: 'vg', provider: 'vagrant', agents: 1, config });
    await writeFile(join(folder, 'Vagrantfile'), renderVagrantfile(plan, config, PUBLIC_KEY).replace('machine.vm.hostname =', 'machine.vm.hostnmae ='));
    await copyFile(BOOTSTRAP_SOURCE, join(folder, VAGRANT_BOOTSTRAP_SCRIPT));
    const result = await validate('vagrant', ['validate', '--ignore-provider'], folder);
    expect(result.code).not.toBe(0);
  });
});

describe.skipIf(!hasTool('shellcheck', 'shellcheck'))('shell scripts', () => {
  it('every script under clusters/scripts passes shellcheck', async () => {
    const scripts = (await readdir(SCRIPTS)).filter((f) => f.endsWith('.sh'));
    expect(scripts).toEqual(expect.arrayContaining(['install-k3s.sh', 'vagrant-bootstrap.sh']));
    for (const script of scripts) {
      const result = await validate('shellcheck', ['--severity=style', join(SCRIPTS.pathname, script)]);
      expect(result.output, script).toBe('');
      expect(result.code, script).toBe(0);
    }
  });

  it('install-k3s.sh passes the version to the installer and keeps settings out of its flags', async () => {
    const script = await readFile(join(SCRIPTS.pathname, 'install-k3s.sh'), 'utf8');
    expect(script).toContain('INSTALL_K3S_VERSION="$version" sh "$installer" "$role"');
    expect(script).not.toMatch(/--disable|--node-label|INSTALL_K3S_EXEC/);
  });
});
