/**
 * A real registry (Docker's distribution, built by scripts/build-kube-control-plane.sh) on
 * 127.0.0.1 for one test file, and crane beside it to check what was pushed as a client would.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { controlPlaneUnavailable, REGISTRY_TOOLS_DIR } from './control-plane.ts';

const run = promisify(execFile);

export interface TestRegistry {
  address: string;
  crane(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Null when registry and crane are there (built with the control plane before the tests start), else why not. */
export async function registryUnavailable(): Promise<string | null> {
  const reason = controlPlaneUnavailable();
  if (reason) return reason;
  return ['registry', 'crane'].every((b) => existsSync(join(REGISTRY_TOOLS_DIR, b))) ? null : 'registry and crane were not built';
}

export async function startRegistry(): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbench-registry-'));
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
  const address = `127.0.0.1:${port}`;
  await writeFile(join(dir, 'config.yml'), ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: ${address}`, ''].join('\n'));
  const registry: ChildProcess = spawn(join(REGISTRY_TOOLS_DIR, 'registry'), ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await fetch(`http://${address}/v2/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    address,
    crane: async (...args) => (await run(join(REGISTRY_TOOLS_DIR, 'crane'), [...args, '--insecure'], { encoding: 'utf8' })).stdout,
    async stop() {
      registry.kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
