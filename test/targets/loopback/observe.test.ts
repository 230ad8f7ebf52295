/**
 * The loopback target's per-process sampling (issue 14 audit): the first second of a window was
 * only a baseline reading, so cost estimated it from the second one, and every sample was taken
 * to cover exactly one second. A real busy process, sampled for 2.5 s.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { seriesCpuSeconds } from '../../../harness/metrics/cost.ts';
import type { Deployment, RunningUnit } from '../../../harness/targets/target.ts';
import { observeProcesses } from '../../../harness/targets/loopback/loopback-target.ts';

describe('loopback observer', () => {
  it('measures the whole window, the first and the last partial second included, each sample over its real interval', async () => {
    const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const unit: RunningUnit = { name: 'busy', pid: child.pid, exited, onLine: () => {}, stderrTail: () => '', stop: async () => void child.kill('SIGKILL') };
    const deployment: Deployment = { endpoints: new Map(), units: [unit], placement: new Map([['busy', 'host']]), stop: async () => void child.kill('SIGKILL') };
    try {
      const t0 = Date.now();
      const observer = observeProcesses(deployment, t0);
      await new Promise((r) => setTimeout(r, 2_500));
      await observer.stop();
      const durationS = (Date.now() - t0) / 1000;
      const samples = observer.resources().filter((s) => s.node === 'busy');
      expect(samples.length).toBeGreaterThanOrEqual(3);
      for (const s of samples) expect(s.intervalS).toBeGreaterThan(0);
      // The intervals tile the window from its start to its end: nothing left to estimate.
      const { cpuSeconds, extrapolatedSeconds } = seriesCpuSeconds(samples, durationS);
      expect(extrapolatedSeconds).toBeLessThan(0.1);
      // A busy loop on a shared 2-core machine: some CPU, and never more than the window.
      expect(cpuSeconds).toBeGreaterThan(0.2);
      expect(cpuSeconds).toBeLessThanOrEqual(durationS + 0.05);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
