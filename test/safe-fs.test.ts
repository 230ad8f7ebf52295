/**
 * Input files the user names (issue 25's attack, repeated on inputs): /dev/zero, a FIFO or a
 * folder as --dataset, --scenario, --thresholds, a topology, a kubeconfig or a cluster config is
 * refused at once in one line. Before, /dev/zero or a FIFO as --dataset held the bench through
 * Ctrl-C until SIGKILL, and a FIFO as --scenario or --thresholds hung it until interrupted.
 */
import { execFileSync } from 'node:child_process';
import { link, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../clusters/config.ts';
import { readDataset } from '../datasets/loader.ts';
import { fileSha256 } from '../harness/cli/presets.ts';
import { loadScenario } from '../harness/dataflow/load-scenario.ts';
import { FogbenchError } from '../harness/errors.ts';
import { loadThresholds } from '../harness/gate/run-gate.ts';
import { checkInputFile, readInputFile, replaceFile, replaceFileSync, writeFileReplacing } from '../harness/safe-fs.ts';
import { loadKubeconfig } from '../harness/targets/kube/connection.ts';
import { loadTopology } from '../harness/targets/local/topology.ts';

let dir: string;
let fifo: string;
let folder: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-inputs-'));
  fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  folder = join(dir, 'folder');
  await mkdir(folder);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refused(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(FogbenchError);
  expect((error as FogbenchError).code).toBe('usage');
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain('\n');
}

describe('input files the user names', () => {
  it('accepts a regular file, and a link to one', async () => {
    const file = join(dir, 'ok.txt');
    await writeFile(file, 'fine');
    await symlink(file, join(dir, 'ok-link'));
    await expect(checkInputFile(join(dir, 'ok-link'), 'dataset')).resolves.toBeUndefined();
    expect(await readInputFile(join(dir, 'ok-link'), 'thresholds file')).toBe('fine');
  });

  it.each([
    ['a character device', '/dev/zero', /is a character device, not a regular file/],
    ['a FIFO', 'FIFO', /is a FIFO, not a regular file/],
    ['a folder', 'FOLDER', /is a folder, not a regular file/],
  ])('refuses %s at once wherever an input is read', { timeout: 10_000 }, async (_, which, pattern) => {
    const file = which === 'FIFO' ? fifo : which === 'FOLDER' ? folder : which;
    await refused(readDataset(file), pattern);
    await refused(loadScenario(file), pattern);
    await refused(loadThresholds(file), pattern);
    await refused(loadTopology(file, 2), pattern);
    await refused(loadClusterConfig(file), pattern);
    await refused(fileSha256(file), pattern);
    await refused(Promise.resolve().then(() => loadKubeconfig({ kubeconfig: file })), pattern);
  });

  it('refuses an input larger than such a file can need', async () => {
    const big = join(dir, 'big');
    await writeFile(big, Buffer.alloc(2048, 0x61));
    await refused(readInputFile(big, 'thresholds file', 1024), /holds 2048 bytes, more than the 1024/);
  });
});

describe('writing a file by a temporary file and a rename', () => {
  it('replaces a file, and a link without touching its target', async () => {
    const target = join(dir, 'link-target');
    await writeFile(target, 'untouched');
    const link = join(dir, 'written-link');
    await symlink(target, link);
    await writeFileReplacing(link, 'new');
    expect(await readFile(link, 'utf8')).toBe('new');
    expect((await lstat(link)).isFile()).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('untouched');
  });

  // Issue 25's attack, repeated: `report --index` at a character device replaced the device with
  // a regular file (as root, `--index /dev/null` would replace /dev/null), and at a folder ended
  // in an EISDIR trace.
  it.skipIf(process.getuid?.() !== 0)('refuses to replace a device node, a FIFO or a folder', async () => {
    const device = join(dir, 'null-device');
    execFileSync('mknod', [device, 'c', '1', '3']);
    await refused(writeFileReplacing(device, 'x'), /is a character device; fogbench writes a file there only in place of a file or a link/);
    expect((await lstat(device)).isCharacterDevice()).toBe(true);
    await refused(writeFileReplacing(fifo, 'x'), /is a FIFO; fogbench writes a file there only/);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    await refused(writeFileReplacing(folder, 'x'), /is a folder; fogbench writes a file there only/);
  });
});

describe.each([
  ['replaceFile', replaceFile],
  ['replaceFileSync', async (file: string, content: string, mode?: number) => replaceFileSync(file, content, mode)],
])('%s', (_, replace) => {
  let scratch: string;
  beforeEach(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'fogbench-replace-'));
  });
  afterEach(() => rm(scratch, { recursive: true, force: true }));

  it('gives the new file its mode from the start; whoever holds the old one keeps the old bytes; no temporary is left', async () => {
    const file = join(scratch, 'secret');
    await writeFile(file, 'old\n', { mode: 0o644 });
    await link(file, join(scratch, 'holder'));
    await replace(file, 'new\n', 0o600);
    expect(await readFile(file, 'utf8')).toBe('new\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(join(scratch, 'holder'), 'utf8')).toBe('old\n');
    expect((await readdir(scratch)).sort()).toEqual(['holder', 'secret']);
  });

  it('replaces a symbolic link at the destination, never writing through it', async () => {
    const victim = join(scratch, 'victim');
    await writeFile(victim, 'untouched\n');
    await symlink(victim, join(scratch, 'file'));
    await replace(join(scratch, 'file'), 'mine\n');
    expect((await lstat(join(scratch, 'file'))).isFile()).toBe(true);
    expect(await readFile(join(scratch, 'file'), 'utf8')).toBe('mine\n');
    expect(await readFile(victim, 'utf8')).toBe('untouched\n');
  });
});
