import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_DATASET } from '../../datasets/paths.ts';
import { writeGeneratedDataset } from '../../datasets/write-generated.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string) => path.join(root, 'test/fixtures/datasets', name);

/** Runs the real CLI the way `npm run dataset -- ...` does. */
const fogbench = (...args: string[]) =>
  execa('node', ['--import', 'tsx', 'harness/cli/main.ts', 'dataset', ...args], { cwd: root, reject: false });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-dataset-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fogbench dataset', () => {
  it('generate writes the deterministic generator output: same seed, same SHA-256', async () => {
    const options = { month: '2019-02', seed: '42', format: 'uo', from: '2019-02-11 08:00', hours: 6 } as const;
    const out = path.join(dir, 'cli.csv');
    const result = await fogbench('generate', '--month', options.month, '--seed', options.seed, '--from', options.from, '--hours', String(options.hours), '--out', out);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const sha = createHash('sha256').update(await readFile(out)).digest('hex');
    expect(result.stdout).toContain(`synthetic, uo, `);
    expect(result.stdout).toContain(`sha256 ${sha}`);
    // The same input in this process gives the same bytes; another seed does not.
    expect((await writeGeneratedDataset(path.join(dir, 'lib.csv'), options)).sha256).toBe(sha);
    expect((await writeGeneratedDataset(path.join(dir, 'other.csv'), { ...options, seed: '43' })).sha256).not.toBe(sha);
  });

  it('stats: prints rows per variable, the synthetic label and the filter counts', async () => {
    const result = await fogbench('stats', SAMPLE_DATASET);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/data\s+SYNTHETIC/);
    expect(result.stdout).toMatch(/^Room Temperature\s+\d+\s+[\d.]+%\s+6\s+Celsius$/m);
    expect(result.stdout).toMatch(/^CO2\s+\d+\s+[\d.]+%\s+6\s+ppm$/m);
    expect(result.stdout).toMatch(/temperature rows \d+: kept \d+, dropped \d+ implausible/);
  });

  it('fails with one line naming file, line and column, and the usage exit code', async () => {
    const file = fixture('unknown-timestamp.csv');
    const result = await fogbench('stats', file);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`fogbench: ${file}:3:4: unknown timestamp format "01/02/2019 00:00": expected YYYY-MM-DD HH:mm:ss (or ISO 8601 YYYY-MM-DDTHH:mm:ss[.sss][Z|±hh:mm])`]);
  });

  // Issue 25's attack, repeated: --out at a device node replaced the device with the month (as
  // root, --out /dev/null would replace /dev/null); --out at a folder ended in an EISDIR trace.
  it.skipIf(process.getuid?.() !== 0)('generate refuses --out at a device node or a folder in one line, and leaves it', async () => {
    const device = path.join(dir, 'null-device');
    await execa('mknod', [device, 'c', '1', '3']);
    const onDevice = await fogbench('generate', '--hours', '1', '--out', device);
    expect(onDevice.exitCode).toBe(2);
    expect(onDevice.stderr.trim().split('\n')).toEqual([`fogbench: ${device} is a character device; fogbench writes a file there only in place of a file or a link: remove it or choose another path`]);
    expect((await lstat(device)).isCharacterDevice()).toBe(true);
    const folder = path.join(dir, 'a-folder.csv');
    await mkdir(folder);
    const onFolder = await fogbench('generate', '--hours', '1', '--out', folder);
    expect(onFolder.exitCode).toBe(2);
    expect(onFolder.stderr.trim().split('\n')).toEqual([`fogbench: ${folder} is a folder; fogbench writes a file there only in place of a file or a link: remove it or choose another path`]);
  });
});
