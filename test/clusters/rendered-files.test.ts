/**
 * What `cluster up` writes onto users' machines, checked by the tools that will read it:
 * cloud-init's own schema validator, `vagrant validate`, and shellcheck. No VM starts.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
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

describe('`npm run cluster -- render`: what `up` would use, written without creating anything', () => {
  const render = async (provider: string, extra: string[] = []) => {
    const out = await mkdtemp(join(dir, `render-${provider}-`));
    const home = await mkdtemp(join(dir, 'home-'));
    // HOME points at an empty folder: render must not create a cluster state there.
    const result = await run('npm', ['run', '--silent', 'cluster', '--', 'render', '--provider', provider, '--name', 'lab', '--out', out, ...extra], { env: { ...process.env, HOME: home } });
    expect(await readdir(home)).toEqual([]);
    return { out, stdout: result.stdout };
  };

  it.skipIf(!hasTool('vagrant', 'vagrant') || !hasTool('shellcheck', 'shellcheck'))('vagrant: passes `vagrant validate --ignore-provider` and shellcheck; sets no disk size the providers cannot apply', { timeout: 90_000 }, async () => {
    const { out, stdout } = await render('vagrant', ['--agents', '2']);
    expect(stdout).toContain('(nothing was created)');
    const validated = await validate('vagrant', ['validate', '--ignore-provider'], out);
    expect(validated.output).toContain('Vagrantfile validated successfully');
    expect(validated.code).toBe(0);
    const vagrantfile = await readFile(join(out, 'Vagrantfile'), 'utf8');
    // The box's 128 GiB disk cannot be shrunk: a smaller size would be ignored (libvirt) or refused (VirtualBox).
    expect(vagrantfile).not.toMatch(/machine_virtual_size|vm\.disk/);
    for (const script of ['vagrant-bootstrap.sh', 'scripts/install-k3s.sh']) {
      const result = await validate('shellcheck', ['--severity=style', join(out, script)]);
      expect(result.output, script).toBe('');
    }
    // Every node's K3s files, where K3s reads them; the registry manifest on the server only.
    const agent = parse(await readFile(join(out, 'nodes/lab-agent-2/etc/rancher/k3s/config.yaml'), 'utf8'));
    expect(agent).toMatchObject({ 'node-ip': '192.168.56.12', server: 'https://192.168.56.10:6443' });
    expect(parse(await readFile(join(out, 'nodes/lab-agent-2/etc/rancher/k3s/registries.yaml'), 'utf8')).mirrors['192.168.56.10:5000'].endpoint).toEqual(['http://192.168.56.10:5000']);
    const server = parse(await readFile(join(out, 'nodes/lab-server/etc/rancher/k3s/config.yaml'), 'utf8'));
    expect(server['node-taint']).toEqual(['CriticalAddonsOnly=true:NoExecute']);
    const manifests = (await readFile(join(out, 'nodes/lab-server/var/lib/rancher/k3s/server/manifests/fogbench-registry.yaml'), 'utf8')).split(/^---$/m).slice(1).map((d) => parse(d));
    expect(manifests.map((m) => m.kind)).toEqual(['Namespace', 'ConfigMap', 'Deployment']);
    expect(manifests[2].spec.template.spec.containers[0].env).toContainEqual({ name: 'REGISTRY_HTTP_ADDR', value: '192.168.56.10:5000' });
    expect((await stat(join(out, 'nodes/lab-server/etc/rancher/k3s/config.yaml'))).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!hasTool('cloud-init', 'cloud-init'))('multipass: every node\'s user-data passes `cloud-init schema`; DHCP addresses are marked as placeholders', { timeout: 90_000 }, async () => {
    const { out, stdout } = await render('multipass', ['--agents', '1']);
    expect(stdout).toMatch(/placeholder: lab-server address 10\.77\.0\.10 \(multipass assigns the real one at launch\)/);
    for (const node of ['lab-server', 'lab-agent-1']) {
      const result = await validate('cloud-init', ['schema', '--config-file', join(out, 'cloud-init', `${node}.yaml`)]);
      expect(result.output).toContain('Valid cloud-config');
      expect(result.code).toBe(0);
    }
    expect(await readFile(join(out, 'README.txt'), 'utf8')).toContain('multipass launch --cloud-init -');
  });

  it('refuses a server address OpenFaaS CE would reach over HTTPS', async () => {
    const out = await mkdtemp(join(dir, 'render-public-'));
    const result = await run('npm', ['run', '--silent', 'cluster', '--', 'render', '--provider', 'host', '--server-ip', '203.0.113.5', '--out', out]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? 1, stderr: e.stderr ?? '' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the core node's address 203\.0\.113\.5 is not a private \(RFC 1918\) IPv4 address/);
  });
});

describe('install-k3s.sh on the node', () => {
  it('finds the interface holding node-ip (eth1 on VirtualBox, where the default route is the NAT eth0)', async () => {
    const fakeBin = await mkdtemp(join(dir, 'bin-'));
    // Recorded `ip -o -4 addr show` of a generic/ubuntu2204 VirtualBox VM with a private network.
    await writeFile(
      join(fakeBin, 'ip'),
      [
        '#!/bin/sh',
        "cat <<'OUT'",
        '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever',
        '2: eth0    inet 10.0.2.15/24 metric 100 brd 10.0.2.255 scope global dynamic eth0\\       valid_lft 86377sec preferred_lft 86377sec',
        '3: eth1    inet 192.168.56.11/24 brd 192.168.56.255 scope global eth1\\       valid_lft forever preferred_lft forever',
        'OUT',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` };
    const script = join(SCRIPTS.pathname, 'install-k3s.sh');
    expect((await run('sh', [script, 'flannel-iface', '192.168.56.11'], { env })).stdout).toBe('eth1\n');
    expect((await run('sh', [script, 'flannel-iface', '10.0.2.15'], { env })).stdout).toBe('eth0\n');
    expect((await run('sh', [script, 'flannel-iface', '192.168.56.99'], { env })).stdout).toBe('');
    expect(await readFile(script, 'utf8')).toContain("printf '# Added by install-k3s.sh: the interface holding node-ip.\\nflannel-iface: %s\\n'");
  });
});
