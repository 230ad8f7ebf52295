/** Per-run build folders (build-folders.ts): claimed, made new and private, and removed whoever ends them. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_ROOT, claimBuildFolder, cleanupBuildFolders, describeAbandoned } from '../harness/build-folders.ts';
import { tempDir } from './helpers/temp.ts';

/** The pid of a process that has ended. */
function deadPid(): number {
  return Number(execFileSync('sh', ['-c', 'sh -c "echo \\$\\$"'], { encoding: 'utf8' }).trim());
}

describe('build folders', () => {
  it('makes a private folder for a run and removes it, with its record, when released', async () => {
    const root = tempDir('fogbench-build-');
    const build = await claimBuildFolder(root, 'run-1');
    expect(statSync(build.dir).mode & 0o777).toBe(0o700);
    writeFileSync(path.join(build.dir, 'secret'), 'x');
    await build.release();
    await build.release();
    expect(readdirSync(root)).toEqual(['.runs']);
    expect(readdirSync(path.join(root, '.runs'))).toEqual([]);
  });

  it('removes, at the next claim, the folder of a run whose process is gone, and says so', async () => {
    const root = tempDir('fogbench-build-');
    const killed = await claimBuildFolder(root, 'killed');
    mkdirSync(path.join(killed.dir, 'openfaas', 'openfaas-fog', 'secrets'), { recursive: true });
    const pid = deadPid();
    const record = path.join(root, '.runs', 'killed.json');
    writeFileSync(record, JSON.stringify({ kind: 'fogbench.build-folder', name: 'killed', pid, startTicks: null, createdAt: '2026-01-01T00:00:00.000Z' }));
    const next = await claimBuildFolder(root, 'next');
    expect(describeAbandoned(next.removed)).toEqual([`removed ${path.join(root, 'killed')}, left by a run whose process (pid ${pid}) is gone (made 2026-01-01T00:00:00.000Z)`]);
    expect(existsSync(path.join(root, 'killed'))).toBe(false);
    expect(existsSync(record)).toBe(false);
    await next.release();
  });

  // A record planted with the name of a folder fogbench builds once and shares (build/openfaas)
  // got that folder removed when run folders sat beside it in build/.
  it('keeps run folders apart from the shared build outputs: a planted record cannot reach them', async () => {
    const checkout = tempDir('fogbench-build-');
    const root = path.join(checkout, BUILD_ROOT);
    mkdirSync(path.join(checkout, 'build', 'openfaas'), { recursive: true });
    writeFileSync(path.join(checkout, 'build', 'openfaas', 'gateway'), 'binary');
    mkdirSync(path.join(root, '.runs'), { recursive: true });
    writeFileSync(path.join(root, '.runs', 'openfaas.json'), JSON.stringify({ kind: 'fogbench.build-folder', name: 'openfaas', pid: deadPid(), startTicks: null, createdAt: '2026-01-01T00:00:00.000Z' }));
    await cleanupBuildFolders(root);
    expect(existsSync(path.join(checkout, 'build', 'openfaas', 'gateway'))).toBe(true);
    expect(path.dirname(BUILD_ROOT)).toBe('build');
  });

  it('refuses a run id whose run is still going, and a folder no run owns, a link included, touching neither', async () => {
    const root = tempDir('fogbench-build-');
    const live = await claimBuildFolder(root, 'busy');
    await expect(claimBuildFolder(root, 'busy')).rejects.toThrow(/busy is the build folder of a run that is still going \(process \d+\): choose another run id$/);
    expect(existsSync(live.dir)).toBe(true);
    mkdirSync(path.join(root, 'cli'));
    await expect(claimBuildFolder(root, 'cli')).rejects.toThrow(/cli already exists and no run owns it: remove it, or choose another run id$/);
    const victim = tempDir('fogbench-victim-');
    symlinkSync(victim, path.join(root, 'linked'));
    await expect(claimBuildFolder(root, 'linked')).rejects.toThrow(/linked already exists and no run owns it/);
    expect(existsSync(path.join(root, 'cli'))).toBe(true);
    expect(readdirSync(path.join(root, '.runs')).sort()).toEqual(['busy.json']);
    await live.release();
  });

  it('refuses a linked record folder in one line, writing nothing through it', async () => {
    const root = tempDir('fogbench-build-');
    const victim = tempDir('fogbench-victim-');
    symlinkSync(victim, path.join(root, '.runs'));
    await expect(claimBuildFolder(root, 'run-1')).rejects.toThrow(/\.runs is a symbolic link; fogbench follows no link/);
    expect(readdirSync(victim)).toEqual([]);
    expect(existsSync(path.join(root, 'run-1'))).toBe(false);
  });
});
