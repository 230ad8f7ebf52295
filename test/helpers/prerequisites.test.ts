/**
 * The parts the tests need built: which test files need which (through their imports), the build
 * scripts' --check, and a build's lines relayed with a line a minute while the script is silent.
 * The scripts run are stand-ins in a temporary folder, so nothing is built here.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPart, CONTROL_PLANE, LOCAL_CLUSTER, notBuilt, PARTS, partsNeeded, type BuildPart } from './prerequisites.ts';
import { tempDir } from './temp.ts';

describe('which test files need which part', () => {
  it.each([
    ['test/targets/kube/kube-target.test.ts', [CONTROL_PLANE]],
    // Through test/targets/kube/registry-server.ts, which imports the control plane's helper.
    ['test/targets/kube/oci/local-images.test.ts', [CONTROL_PLANE]],
    ['test/clusters/local-cluster/local-cluster.test.ts', [CONTROL_PLANE, LOCAL_CLUSTER]],
    ['test/metrics/histogram.test.ts', []],
    ['test/report/writer.test.ts', []],
  ])('%s', (file, parts) => {
    expect(partsNeeded([file]).map((p) => p.script)).toEqual(parts.map((p) => p.script));
  });

  it('every test file that starts a control plane is found, and the parts come in build order', () => {
    const files = ['test/openfaas/helm.test.ts', 'test/clusters/local-cluster/local-cluster.test.ts', 'test/openfaas/kube-functions.test.ts', 'test/metrics/histogram.test.ts'];
    expect(partsNeeded(files)).toEqual([...PARTS]);
    expect(partsNeeded(files.slice(0, 1))).toEqual([CONTROL_PLANE]);
  });

  it('follows imports in either quote, and not a specifier in a comment or a string', () => {
    const root = tempDir('fogbench-prerequisites-');
    mkdirSync(join(root, 'test'));
    const files: Record<string, string> = {
      'a.test.ts': `// import { c } from './c.ts';\nconst s = "from './d.ts'";\nimport { b } from "./b.ts";\n`,
      'b.ts': 'export const b = 1;\n',
      'c.ts': 'export const c = 1;\n',
      'd.ts': 'export const d = 1;\n',
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'test', name), text);
    const part = (file: string): BuildPart => ({ title: file, script: file, coldMinutes: 1, neededThrough: [`test/${file}`] });
    expect(partsNeeded(['test/a.test.ts'], root, ['b.ts', 'c.ts', 'd.ts'].map(part)).map((p) => p.title)).toEqual(['b.ts']);
  });
});

/** A stand-in part whose script is `body` (with --check answered by `check`). */
function fakePart(body: string, check = 'exit 1'): { part: BuildPart; root: string } {
  const root = tempDir('fogbench-prerequisites-');
  mkdirSync(join(root, 'scripts'));
  const script = join(root, 'scripts', 'build-thing.sh');
  writeFileSync(script, `#!/usr/bin/env bash\nif [[ "\${1:-}" == --check ]]; then ${check}; fi\n${body}\n`);
  chmodSync(script, 0o755);
  return { part: { title: 'the thing', script: 'scripts/build-thing.sh', coldMinutes: 1, neededThrough: [] }, root };
}

describe('checking and building a part', () => {
  it('asks the script whether it is built, and names what is missing in its words', () => {
    const built = fakePart('', 'exit 0');
    expect(notBuilt(built.part, built.root)).toBeNull();
    const { part, root } = fakePart('', 'echo "build-thing: not built yet: build/thing"; exit 1');
    expect(notBuilt(part, root)).toBe('build-thing: not built yet: build/thing');
  });

  it('relays every line the build prints, says it is still building while the script is silent, and gives its exit code', async () => {
    const { part, root } = fakePart('echo "step one"; echo "warning" >&2; sleep 1.2; echo "step two"; exit 3');
    const lines: string[] = [];
    const code = await buildPart(part, (l) => lines.push(l), { root, heartbeatMs: 400 });
    expect(code).toBe(3);
    // stdout and stderr are two pipes: their lines keep their order within each, not between them.
    expect(lines.filter((l) => !l.includes('still building')).sort()).toEqual(['  step one', '  step two', '  warning']);
    expect(lines.some((l) => /^ {2}still building the thing: \d+ min so far$/.test(l))).toBe(true);
    // The heartbeat stops with the build.
    const count = lines.length;
    await new Promise((r) => setTimeout(r, 900));
    expect(lines).toHaveLength(count);
  });
});
