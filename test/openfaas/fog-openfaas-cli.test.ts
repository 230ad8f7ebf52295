/**
 * `bench --systems openfaas` as a user runs it: the run's basic-auth password appears in no
 * file of the run folder and in no output, and one SIGINT mid-profile leaves no process,
 * namespace, cgroup or secret file behind.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_ROOT } from '../../harness/build-folders.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();
const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface Cli {
  output: () => string;
  exited: Promise<number | null>;
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<void>;
  signal: (s: NodeJS.Signals) => void;
}

function bench(args: string[]): Cli {
  // node itself, not the tsx CLI: the signal must reach the process that owns the fog.
  const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli/main.ts', 'bench', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const l of listeners) l();
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    signal: (s) => child.kill(s),
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output: ${output.slice(-2000)}`)), timeoutMs);
        const check = () => {
          if (!pattern.test(output)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        void exited.then(() => check());
        check();
      }),
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(skip)('bench --systems openfaas on fog, from the command line', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the basic-auth password out of every result file and every line of output', async () => {
    const runsDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-ofcli-'));
    dirs.push(runsDir);
    const runId = `test-secret-${process.pid}`;
    const secret = path.join(REPO, BUILD_ROOT, runId, 'openfaas', 'openfaas-fog', 'secrets', 'basic-auth-password');
    const cli = bench(['--systems', 'openfaas', '--workers', '1', '--duration', '3s', '--runs-dir', runsDir, '--run-id', runId]);
    await cli.waitFor(/openfaas w1: running/, 180_000);
    const password = (await readFile(secret, 'utf8')).trim();
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(await cli.exited).toBe(0);
    expect(existsSync(secret)).toBe(false);
    expect(cli.output()).not.toContain(password);
    const files = await filesUnder(path.join(runsDir, runId));
    expect(files.some((f) => f.endsWith('openfaas-w1.json'))).toBe(true);
    for (const file of files) expect(await readFile(file, 'utf8'), file).not.toContain(password);
    // The manifest says which OpenFaaS binaries ran: pinned modules, build info, no local path.
    const manifest = JSON.parse(await readFile(path.join(runsDir, runId, 'manifest.json'), 'utf8')) as {
      systemDetails: { openfaas: { binaries: { name: string; module: string; version: string; buildInfo: string }[]; chartDifference: string } };
    };
    const binaries = manifest.systemDetails.openfaas.binaries;
    expect(binaries.map((b) => [b.module, b.version])).toEqual([
      ['github.com/openfaas/faas/gateway', 'v0.0.0-20240126132846-1ab3f3235644'],
      ['github.com/openfaas/of-watchdog', 'v0.0.0-20260513144341-9bdadb1e8c68'],
      ['fogbench.dev/openfaas-provider', expect.stringMatching(/^source:[0-9a-f]{12}$/)],
      // The chart's companions at the chart's releases (Prometheus 3.5.0, alertmanager 0.28.1).
      ['github.com/prometheus/prometheus', 'v0.305.0'],
      ['github.com/prometheus/alertmanager', 'v0.28.1'],
    ]);
    for (const b of binaries) {
      expect(b.buildInfo).toContain(`mod\t${b.module}`);
      expect(b.buildInfo).not.toContain(REPO);
    }
    expect(manifest.systemDetails.openfaas.chartDifference).toContain('0.27.13');
  }, 240_000);

  it('cleans up everything after one SIGINT in the middle of a profile', async () => {
    const runsDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-ofcli-'));
    dirs.push(runsDir);
    const runId = `test-sigint-${process.pid}`;
    const cli = bench(['--systems', 'openfaas', '--workers', '1', '--duration', '30s', '--runs-dir', runsDir, '--run-id', runId, '--no-report']);
    await cli.waitFor(/openfaas w1: running/, 180_000);
    const manifest = JSON.parse(await readFile(path.join(runsDir, runId, 'manifest.json'), 'utf8')) as { target: { details: { objectPrefix: string } } };
    const root = manifest.target.details.objectPrefix;
    expect(leftovers(root).namespaces.length).toBeGreaterThan(5);
    await new Promise((r) => setTimeout(r, 2_000));
    cli.signal('SIGINT');
    expect(await cli.exited).toBe(130);
    expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
    expect(existsSync(path.join(REPO, BUILD_ROOT, runId))).toBe(false);
    expect(existsSync(path.join(os.tmpdir(), root))).toBe(false); // the pods' /tmp
    // The profile measured so far is kept, marked interrupted.
    const profile = JSON.parse(await readFile(path.join(runsDir, runId, 'profiles', 'openfaas-w1.json'), 'utf8')) as { interrupted: boolean; requests: number };
    expect(profile.interrupted).toBe(true);
    expect(profile.requests).toBeGreaterThan(0);
  }, 240_000);
});
