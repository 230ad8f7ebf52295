/**
 * The nightly jobs' baseline cannot ratchet down (issue 14: on 25c3c31 each passing night
 * replaced the baseline, so drops just under the threshold passed night after night). Each
 * job's own "keep this night" step runs here with bash, night after night, in a scratch folder
 * (with the repository's scripts/ beside it, `sudo` a shell function that runs its command):
 * afterwards the baseline store must hold more than the last night, and a bounded number of them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);

interface Step {
  name?: string;
  if?: string;
  run?: string;
}
interface Job {
  env?: Record<string, string | number>;
  steps: Step[];
}
interface Workflow {
  env?: Record<string, string | number>;
  jobs: Record<string, Job>;
}

/** Runs one step's script as GitHub does (bash -eo pipefail), in `dir`. */
async function runStep(step: Step, dir: string, env: Record<string, string>): Promise<void> {
  const script = `sudo() { if [ "$1" = -E ]; then shift; fi; "$@"; }\n${step.run!}`;
  await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: dir, env: { ...process.env, ...env } });
}

/** The run ids of every run folder (a manifest and profiles) anywhere under `dir`. */
async function runsUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const ids: string[] = [];
  if (existsSync(path.join(dir, 'manifest.json')) && existsSync(path.join(dir, 'profiles'))) {
    ids.push((JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as { runId: string }).runId);
  }
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== 'profiles') ids.push(...(await runsUnder(path.join(dir, entry.name))));
  }
  return [...new Set(ids)].sort();
}

/** Workflow-level and job-level env, without the values GitHub computes (`${{ ... }}`). */
function plainEnv(...sources: (Record<string, string | number> | undefined)[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of sources) for (const [k, v] of Object.entries(source ?? {})) if (!String(v).includes('${{')) env[k] = String(v);
  return env;
}

describe('nightly baselines', () => {
  it.each(['local', 'k3s'])('the %s job keeps the recent passing nights as its reference, not only the last, and a bounded number of them', async (job) => {
    const wf = parse(await readFile('.github/workflows/nightly.yml', 'utf8')) as Workflow;
    const steps = wf.jobs[job]!.steps;
    const keep = steps.find((s) => s.if?.includes('success()') && s.run?.includes(`reports/runs/nightly-${job}-`) && s.run.includes(`baseline/${job}`));
    expect(keep, 'the step that keeps a passing night').toBeDefined();

    const dir = await tempDir('fogbench-nightly-');
    await symlink(path.resolve('scripts'), path.join(dir, 'scripts'));
    const env: Record<string, string> = { ...plainEnv(wf.env, wf.jobs[job]!.env), DURATION: '30s', RECORD_REFERENCE: 'false', GITHUB_OUTPUT: path.join(dir, 'github-output') };
    const keepNights = Number(env.KEEP_NIGHTS ?? 7);
    const store = path.join(dir, 'baseline', job);
    const nights = 10;
    for (let id = 101; id < 101 + nights; id++) {
      // The night passed: its run folder is there, as the bench writes it.
      const folder = path.join(dir, 'reports', 'runs', `nightly-${job}-${id}`);
      await mkdir(path.join(folder, 'profiles'), { recursive: true });
      await writeFile(path.join(folder, 'manifest.json'), JSON.stringify({ runId: `nightly-${job}-${id}` }));
      await writeFile(path.join(folder, 'profiles', 'p2p-w1.json'), '{}');
      await runStep(keep!, dir, { ...env, GITHUB_RUN_ID: String(id) });
      if (id === 103) {
        // After three passing nights, all three are in the reference, not only the last.
        expect(await runsUnder(store)).toEqual(expect.arrayContaining([`nightly-${job}-101`, `nightly-${job}-102`, `nightly-${job}-103`]));
      }
    }
    const kept = await runsUnder(store);
    expect(kept).toContain(`nightly-${job}-${100 + nights}`);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    // Bounded: the recent nights (and at most one fixed reference run besides them).
    expect(kept.length).toBeLessThanOrEqual(keepNights + 1);
  }, 60_000);
});
