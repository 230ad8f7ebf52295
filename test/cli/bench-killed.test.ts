/**
 * A bench killed with SIGKILL (issue 25, finding 14): `--cleanup` said "nothing to clean up" while
 * build/<run-id>/openfaas/openfaas-fog/secrets/basic-auth-password was still there. The build
 * folder, secrets and all, must go at the next start or `--cleanup`, which says so.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_ROOT } from '../../harness/build-folders.ts';
import { runCli, startCli, waitFor } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { fogUnavailableReason } from '../targets/local/fog-host.ts';

const noFog = fogUnavailableReason();

describe('a bench killed with SIGKILL', () => {
  it.each([
    { what: 'p2p on loopback', args: ['--target', 'loopback', '--systems', 'p2p'], file: [] as string[], skip: false },
    { what: 'openfaas on fog', args: ['--systems', 'openfaas'], file: ['openfaas', 'openfaas-fog', 'secrets', 'basic-auth-password'], skip: noFog !== null },
  ])('issue 25 #14: leaves its build folder ($what) to --cleanup, which removes it and says so', async ({ args, file, skip }) => {
    if (skip) return void console.warn(`skipped: ${noFog}`);
    const root = tempDir('fogbench-killed-');
    const env = { FOGBENCH_OWNER_DIR: path.join(root, 'owners') };
    const runId = `killed-${path.basename(root).slice(-6)}`;
    const buildDir = path.join(BUILD_ROOT, runId);
    const run = startCli(['bench', ...args, '--workers', '1', '--duration', '60s', '--warmup', '0', '--no-report', '--runs-dir', path.join(root, 'runs'), '--run-id', runId], env);
    await waitFor(() => /w1: running for 60s/.test(run.stderrSoFar()), 120_000, 'the profile to start');
    expect(existsSync(path.join(buildDir, ...file))).toBe(true);
    run.child.kill('SIGKILL');
    await run.done;
    expect(existsSync(path.join(buildDir, ...file))).toBe(true);
    const cleanup = await runCli(['bench', '--cleanup'], env);
    console.log(`--cleanup after SIGKILL (exit ${cleanup.code}):\n${cleanup.stdout}${cleanup.stderr}`);
    expect(cleanup.code).toBe(0);
    expect(cleanup.stdout).toContain(`removed ${buildDir}, left by a run whose process (pid ${run.child.pid}) is gone`);
    expect(existsSync(buildDir)).toBe(false);
  }, 240_000);
});
