/**
 * What a run leaves behind when it is interrupted: nothing after SIGINT/SIGTERM (the target
 * disposes itself from the handler); after a SIGKILL no process (units die with their owner)
 * and only the objects its owner record lists, which cleanupLeftovers then removes without
 * touching a fog that is still live. Owner records go to a folder of the test's own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupLeftovers } from '../../../harness/targets/local/cleanup.ts';
import { createFogTarget } from '../../../harness/targets/local/fog-target.ts';
import { FIXTURES, TEST_TOPOLOGY, leftovers, processAlive, skipReasonPrinted } from './fog-host.ts';

const skip = skipReasonPrinted();
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ownerDir = mkdtempSync(path.join(os.tmpdir(), 'fogbench-interruption-owners-'));
afterAll(() => rmSync(ownerDir, { recursive: true, force: true }));

async function startFog(mode: 'handle-signals' | 'crash') {
  // node itself (not the tsx CLI, which would run the script in a grandchild): the signals
  // below must reach the process that owns the fog.
  const child = spawn(process.execPath, ['--import', 'tsx', `${FIXTURES}deploy-and-wait.mts`, mode], {
    cwd: REPO,
    env: { ...process.env, FOGBENCH_OWNER_DIR: ownerDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const first = await Promise.race([
    new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve)),
    exited.then(() => {
      throw new Error(`fixture ended before deploying: ${stderr}`);
    }),
  ]);
  const { root, pids } = JSON.parse(first) as { root: string; pids: number[] };
  return { child, exited, root, pids };
}

describe.skipIf(skip)('fog target interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('leaves no namespace, interface, cgroup or process after %s mid-run', async (signal) => {
    const { child, exited, root, pids } = await startFog('handle-signals');
    const during = leftovers(root);
    expect(during.namespaces).toHaveLength(3);
    expect(pids.every(processAlive)).toBe(true);
    child.kill(signal);
    expect(await exited).toEqual({ code: 130, signal: null });
    expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
    expect(pids.filter(processAlive)).toEqual([]);
  });

  it('a SIGKILLed run leaves no process; cleanupLeftovers removes its objects, and nothing of a live fog', async () => {
    const live = createFogTarget({ runId: 'test-live', topologyFile: TEST_TOPOLOGY, ownerDir });
    try {
      await live.prepare();
      const liveRoot = live.describe().details.objectPrefix as string;
      const { child, exited, root, pids } = await startFog('crash');
      child.kill('SIGKILL');
      await exited;
      const left = leftovers(root);
      expect(left.namespaces).toHaveLength(3);
      // Units die with their owner, within seconds, though no handler ran.
      const deadline = Date.now() + 5_000;
      while (pids.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(pids.filter(processAlive)).toEqual([]);

      const report = await cleanupLeftovers({ ownerDir });
      expect(report.namespaces.sort()).toEqual([...left.namespaces].sort());
      expect(report.cgroups).toContain(root);
      expect(report.live).toContain(liveRoot.slice(3));
      expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
      expect(pids.filter(processAlive)).toEqual([]);
      // The live fog is untouched.
      expect(leftovers(liveRoot).interfaces.length).toBeGreaterThan(0);
      expect(leftovers(liveRoot).cgroups.length).toBeGreaterThan(0);
    } finally {
      await live.dispose();
    }
  });
});
