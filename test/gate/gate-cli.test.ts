/** The regression gate as CI uses it: the committed baseline passes, a worse run fails. */
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../harness/errors.ts';
import type { ProfileResult } from '../../harness/results/schema.ts';
import { runCli } from '../helpers/cli.ts';

const BASELINE = '.ci/baseline';
const THRESHOLDS = '.ci/thresholds-ci.txt';

describe('fogbench gate', () => {
  it('passes the committed baseline against itself', async () => {
    const { code, stdout } = await runCli(['gate', '--run', BASELINE, '--baseline', BASELINE, '--thresholds', THRESHOLDS]);
    expect(stdout).toMatch(/all 5 checks passed/);
    expect(code).toBe(0);
  }, 30_000);

  it('fails a deliberately worse run with the regression exit code, naming the failed checks', async () => {
    const worse = await mkdtemp(path.join(os.tmpdir(), 'fogbench-worse-'));
    await cp(BASELINE, worse, { recursive: true });
    for (const file of await readdir(path.join(worse, 'profiles'))) {
      const full = path.join(worse, 'profiles', file);
      const p = JSON.parse(await readFile(full, 'utf8')) as ProfileResult;
      // A tenth of the throughput at 10 workers, and 5 % errors at 1 worker.
      if (p.workers === 10) p.throughput *= 0.1;
      if (p.workers === 1) p.errorRate = 0.05;
      await writeFile(full, JSON.stringify(p));
    }
    const { code, stdout } = await runCli(['gate', '--run', worse, '--baseline', BASELINE, '--thresholds', THRESHOLDS]);
    expect(code).toBe(ExitCode.regression);
    expect(stdout).toMatch(/^FAIL {2}p2p\.throughput\[workers=10\] >= 0\.3 \* baseline/m);
    expect(stdout).toMatch(/^FAIL {2}p2p\.errorRate\[workers=1\] <= 1%  — 5\.00% <= 1\.00%/m);
    expect(stdout).toMatch(/^PASS {2}p2p\.throughput\[workers=1\]/m);
    expect(stdout).toMatch(/2 of 5 checks failed/);
  }, 30_000);

  it('refuses a thresholds file it cannot read, before anything runs', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'fogbench-thr-')), 'bad.txt');
    await writeFile(file, 'p2p.speed[workers=1] >= 1\n');
    const { code, stderr } = await runCli(['bench', '--thresholds', file, '--baseline', BASELINE, '--target', 'loopback']);
    expect(code).toBe(ExitCode.usage);
    expect(stderr.trim()).toMatch(/^fogbench: .*bad\.txt:1: unknown metric "speed"/);
  }, 30_000);
});
