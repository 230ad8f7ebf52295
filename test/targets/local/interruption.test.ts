/**
 * What a run leaves behind when it is interrupted: nothing after SIGINT/SIGTERM (the target
 * disposes itself from the handler), and only what cleanupLeftovers then removes after a
 * SIGKILL, without touching a fog that is still live.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupLeftovers } from '../../../harness/targets/local/cleanup.ts';
import { createFogTarget } from '../../../harness/targets/local/fog-target.ts';
import { FIXTURES, TEST_TOPOLOGY, leftovers, processAlive, skipReasonPrinted } from './fog-host.ts';

const skip = skipReasonPrinted();
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

async function startFog(mode: 'handle-signals' | 'crash') {
  // node itself (not the tsx CLI, which would run the script in a grandchild): the signals
  // below must reach the process that owns the fog.
  const child = spawn(process.execPath, ['--import', 'tsx', `${FIXTURES}deploy-and-wait.mts`, mode], {
    cwd: REPO,
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

  it('cleanupLeftovers removes what a SIGKILLed run left, and nothing of a live fog', async () => {
    const live = createFogTarget({ runId: 'test-live', topologyFile: TEST_TOPOLOGY });
    try {
      await live.prepare();
      const liveRoot = live.describe().details.objectPrefix as string;
      const { child, exited, root, pids } = await startFog('crash');
      child.kill('SIGKILL');
      await exited;
      const left = leftovers(root);
      expect(left.namespaces).toHaveLength(3);
      expect(pids.some(processAlive)).toBe(true); // units are in their own process groups

      const report = await cleanupLeftovers();
      // Other crashed runs' leftovers may be removed too; ours must all be.
      expect(report.namespaces).toEqual(expect.arrayContaining(left.namespaces));
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
