/**
 * The local OpenFaaS programs, really built: the pinned gateway and of-watchdog with
 * `go install` (through ../shared/goproxy when it exists) and our provider, which is then
 * started and fed a state file written by the harness's own writer. The build is cached
 * under build/openfaas, so only the first run on a machine pays for it (about a minute).
 * Also runs the Go tests (`npm run test:go`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureOpenFaaSBinaries, type OpenFaaSBinaries } from '../../../harness/openfaas/binaries/build.ts';
import { parseBuildInfo } from '../../../harness/openfaas/binaries/build-info.ts';
import { readPins } from '../../../harness/openfaas/binaries/pins.ts';
import { PROVIDER_STATE_ENV, writeProviderState, type ProviderState } from '../../../harness/openfaas/provider-state.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD_TIMEOUT = 15 * 60_000;
const pins = readPins();

let binaries: OpenFaaSBinaries;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fogbench-provider-'));
  binaries = await ensureOpenFaaSBinaries({ searchPath: process.env['PATH'] ?? '' });
}, BUILD_TIMEOUT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureOpenFaaSBinaries', () => {
  it('installs the pinned gateway and of-watchdog and reports their build info', () => {
    for (const [info, pin] of [[binaries.gateway, pins.gateway], [binaries.watchdog, pins.watchdog]] as const) {
      expect(info.name).toBe(pin.binary);
      expect({ module: info.module, version: info.version }).toEqual({ module: pin.module, version: pin.version });
      expect(info.buildInfo).toContain(`\tpath\t${pin.module}\n`);
      expect(info.goVersion).toMatch(/^go1\.\d+/);
      expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(info.path).mode & 0o111).not.toBe(0);
    }
  });

  it('builds our provider against the pinned faas-provider', () => {
    const { provider } = binaries;
    expect(provider.module).toBe('fogbench.dev/openfaas-provider');
    expect(provider.version).toMatch(/^source:[0-9a-f]{12}$/);
    expect(provider.buildInfo).toContain(`\tdep\t${pins.faasProvider.module}\t${pins.faasProvider.version}\t`);
    // ... which is the faas-provider of the chart's faas-netes: the same proxy code as on a cluster.
    expect(provider.buildInfo).toContain(`\tdep\t${pins.faasProvider.module}\t${pins.chart.faasNetesFaasProvider}\t`);
    expect(provider.buildInfo).toContain('CGO_ENABLED=0');
  });

  it('finds the cached binaries the second time without building', async () => {
    const started = Date.now();
    const again = await ensureOpenFaaSBinaries({ searchPath: process.env['PATH'] ?? '' });
    expect(again).toEqual(binaries);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('parses go version -m output', () => {
    const text = '/x/gateway: go1.23.4\n\tpath\tgithub.com/a/b\n\tmod\tgithub.com/a/b\tv1.2.3\th1:abc=\n\tdep\tgithub.com/c/d\tv0.1.0\th1:x=\n';
    expect(parseBuildInfo(text)).toEqual({ module: 'github.com/a/b', version: 'v1.2.3', goVersion: 'go1.23.4' });
    expect(parseBuildInfo('/x/y: go1.23.4\n')).toBeNull();
  });
});

describe('the provider binary', () => {
  it('serves /healthz and the functions of the state file the harness writes, and stops on SIGTERM', async () => {
    const stateFile = join(dir, 'provider-state.json');
    const state: ProviderState = {
      namespace: 'openfaas-fn',
      functions: [{
        name: 'get', image: 'fogbench/get:3f2a', envProcess: 'node main.js',
        labels: { 'com.openfaas.scale.min': '2', 'com.openfaas.scale.max': '2' }, annotations: {}, envVars: {}, replicas: 2,
        endpoints: [
          { unit: 'get-0', address: '198.18.4.10', port: 8080, ready: true },
          { unit: 'get-1', address: '198.18.4.11', port: 8080, ready: false },
        ],
      }],
    };
    await writeProviderState(stateFile, state);
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual(state);

    const port = await freePort();
    const child = spawn(binaries.provider.path, [], { env: { [PROVIDER_STATE_ENV]: stateFile, port: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      const base = `http://127.0.0.1:${port}`;
      await until(async () => (await fetch(`${base}/healthz`)).ok, () => stderr);
      const available = async () => ((await (await fetch(`${base}/system/function/get`)).json()) as { replicas: number; availableReplicas?: number });
      expect(await available()).toMatchObject({ replicas: 2, availableReplicas: 1 });

      state.functions[0]!.endpoints[1]!.ready = true;
      await writeProviderState(stateFile, state);
      await until(async () => (await available()).availableReplicas === 2, () => stderr);

      const info = (await (await fetch(`${base}/system/info`)).json()) as { provider: string; orchestration: string; version: { sha: string } };
      expect(info).toMatchObject({ provider: 'fogbench-fog-provider', orchestration: 'fog' });
      expect(`source:${info.version.sha}`).toBe(binaries.provider.version);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code, stderr).toBe(0);
  });
});

describe('Go tests', () => {
  it('npm run test:go (go vet and go test of the provider, go vet of link-delay) passes', async () => {
    const result = await execa('bash', ['scripts/go-test.sh'], { cwd: REPO, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toMatch(/^ok\s+fogbench\.dev\/openfaas-provider/m);
  }, 10 * 60_000);
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function until(check: () => Promise<boolean>, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the provider did not get there in 10 s: ${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
