/** Reading run folders, including the partial folder a crashed run leaves behind. */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import { listRunDirs, readRun } from '../../harness/report/read-run.ts';
import { readGatedRun } from '../../harness/gate/read-gated-run.ts';
import { runTables } from '../../harness/report/run-tables.ts';
import { removeTempRoots, tempRoot, writeRunFolder } from './run-folder.ts';

afterAll(removeTempRoots);

const fixture = fileURLToPath(new URL('../fixtures/runs/partial-synthetic', import.meta.url));

describe('readRun', () => {
  it('reads the profiles there are and names the missing and damaged ones', async () => {
    const run = await readRun(fixture);
    expect(run.runId).toBe('partial-synthetic');
    expect(run.profiles.map((p) => `${p.system}-w${p.workers}`)).toEqual(['p2p-w1', 'p2p-w5']);
    expect(run.missing).toEqual([
      { system: 'openfaas', workers: 1 },
      { system: 'openfaas', workers: 5 },
    ]);
    expect(run.problems).toHaveLength(1);
    expect(run.problems[0]).toMatch(/^profiles\/openfaas-w1\.json: .*JSON/);
  });

  it('falls back on the manifest embedded in a profile when manifest.json is gone', async () => {
    const root = await tempRoot();
    const { dir } = await writeRunFolder(root, { runId: 'no-manifest', seconds: 3, workers: [1] });
    await rm(join(dir, 'manifest.json'));
    const run = await readRun(dir);
    expect(run.manifest?.runId).toBe('no-manifest');
    expect(run.profiles).toHaveLength(2);
    expect(run.problems).toEqual(['manifest.json is missing']);
  });

  it('refuses a profile of another schema version with a message saying what to do', async () => {
    const root = await tempRoot();
    const { dir, profiles } = await writeRunFolder(root, { runId: 'old', seconds: 3, workers: [1], systems: ['p2p'] });
    await writeFile(join(dir, 'profiles', 'p2p-w1.json'), JSON.stringify({ ...profiles[0], schemaVersion: 0 }));
    const run = await readRun(dir);
    expect(run.profiles).toHaveLength(0);
    expect(run.problems[0]).toMatch(/schemaVersion 0 is not 1; regenerate/);
  });

  it('issue 24: reads the profiles the manifest names, as the gate does; a stray copy is named, not averaged in', async () => {
    const root = await tempRoot();
    const { dir, profiles } = await writeRunFolder(root, { runId: 'stray', seconds: 3, workers: [1, 5], systems: ['p2p'] });
    const w1 = profiles.find((p) => p.workers === 1)!;
    // A copy kept beside the real file (edited, so an average would show), and a file whose content is another profile.
    await writeFile(join(dir, 'profiles', 'p2p-w1-copy.json'), JSON.stringify({ ...w1, throughput: w1.throughput * 3 }));
    await writeFile(join(dir, 'profiles', 'p2p-w5.json'), JSON.stringify(w1));
    const run = await readRun(dir);
    expect(run.profiles.map((p) => `${p.system}-w${p.workers}`)).toEqual(['p2p-w1']);
    expect(runTables(run).find((t) => t.id === 'throughput')!.rows.find((r) => r[0] === 1)![1]).toBeCloseTo(w1.throughput, 10);
    expect(run.problems).toEqual([
      'profiles/p2p-w5.json holds the p2p profile at 1 workers, which is p2p-w1.json, not the profile its name says',
      'profiles/p2p-w1-copy.json: not a profile file its manifest names; left out',
    ]);
    expect(run.missing.map((m) => `${m.system}-w${m.workers}`)).toEqual(['p2p-w5']);
    // The gate reads the same profiles from the same folder.
    const gated = await readGatedRun(dir, await readdir(dir));
    expect(gated.profiles).toEqual(run.profiles);
    expect(gated.ignored).toEqual(['profiles/p2p-w1-copy.json']);
  });

  it('fails with a usage error for a folder that does not exist', async () => {
    await expect(readRun('/nonexistent/fogbench-run')).rejects.toBeInstanceOf(FogbenchError);
  });
});

describe('readRun, with links and non-regular files in a run folder (issue 25)', () => {
  it('names a linked profile, a FIFO manifest and a linked profiles/ as problems, opening none of them', async () => {
    const root = await tempRoot();
    const { dir } = await writeRunFolder(root, { runId: 'planted', systems: ['p2p'], workers: [1, 5] });
    await rm(join(dir, 'manifest.json'));
    execFileSync('mkfifo', [join(dir, 'manifest.json')]);
    await rm(join(dir, 'profiles', 'p2p-w5.json'));
    await symlink('/etc/hostname', join(dir, 'profiles', 'p2p-w5.json'));
    const run = await readRun(dir);
    expect(run.problems.join('\n')).toMatch(/manifest\.json: .*manifest\.json is a FIFO; fogbench follows no link/);
    expect(run.problems.join('\n')).toMatch(/profiles\/p2p-w5\.json: .*p2p-w5\.json is a symbolic link/);
    expect(run.profiles.map((p) => p.workers)).toEqual([1]);
    const other = (await writeRunFolder(root, { runId: 'linked', systems: ['p2p'], workers: [1] })).dir;
    await rm(join(other, 'profiles'), { recursive: true });
    await symlink(join(dir, 'profiles'), join(other, 'profiles'));
    expect((await readRun(other)).problems.join('\n')).toMatch(/profiles\/: .*profiles is a symbolic link/);
  });
});

describe('listRunDirs', () => {
  it('lists folders holding a manifest or profiles, and nothing else', async () => {
    const root = await tempRoot();
    await writeRunFolder(root, { runId: 'a', seconds: 2, workers: [1] });
    await cp(fixture, join(root, 'b'), { recursive: true });
    await mkdir(join(root, 'not-a-run'));
    await writeFile(join(root, 'stray.txt'), 'x');
    expect((await listRunDirs(root)).map((d) => d.slice(root.length + 1))).toEqual(['a', 'b']);
  });
});
