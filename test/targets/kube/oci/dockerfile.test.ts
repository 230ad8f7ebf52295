/**
 * The compiler's Dockerfiles read into image plans without a container engine: the real ones
 * the compilers write for a p2p service and an OpenFaaS function, and the instructions that
 * must be refused rather than built wrong.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileServices, loadScenarioSource } from '../../../../harness/dataflow/compile.ts';
import { compileFunctions } from '../../../../harness/openfaas/compile-functions.ts';
import { parseDockerfile, parsePairs, planFromDockerfile, splitWords } from '../../../../harness/targets/kube/oci/dockerfile.ts';
import type { BaseImage } from '../../../../harness/targets/kube/oci/image-plan.ts';
import { FogbenchError } from '../../../../harness/errors.ts';
import { tempDir } from '../../../helpers/temp.ts';

const fixtures = tempDir('fogbench-bases-');
const WATCHDOG = join(fixtures, 'of-watchdog');
writeFileSync(WATCHDOG, 'a watchdog binary');
const node: BaseImage = { id: 'node', layers: [], config: { env: { PATH: '/usr/local/bin:/usr/bin' }, cmd: ['node'], exposedPorts: [], labels: {} }, note: 'node made here' };
const watchdog: BaseImage = { id: 'wd', layers: [], config: { env: {}, exposedPorts: [], labels: {} }, note: 'watchdog made here', files: { '/fwatchdog': WATCHDOG } };
const bases = (ref: string) => (ref.startsWith('node:20') ? node : ref.startsWith('ghcr.io/openfaas/of-watchdog:') ? watchdog : null);

describe('Dockerfile reading', () => {
  it('splits words and pairs as docker does', () => {
    expect(splitWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f g']);
    expect(parsePairs('fprocess="node index.mjs" mode="http" port=8080')).toEqual({ fprocess: 'node index.mjs', mode: 'http', port: '8080' });
    expect(parsePairs('NODE_ENV production')).toEqual({ NODE_ENV: 'production' });
    expect(parseDockerfile('# c\nFROM x\nENV a=1 \\\n    b=2\n').map((i) => [i.keyword, i.rest])).toEqual([['FROM', 'x'], ['ENV', 'a=1  b=2']]);
  });

  it("plans the compiler's p2p and function images from their folders", async () => {
    const source = await loadScenarioSource('scenarios/temperature.ts');
    const out = tempDir('fogbench-dockerfiles-');
    const [service] = await compileServices(source, out);
    const p2p = planFromDockerfile(await import('node:fs').then((fs) => fs.readFileSync(join(service!.artifactDir, 'Dockerfile'), 'utf8')), { contextDir: service!.artifactDir, base: bases }, 'p2p');
    expect(p2p.base).toBe(node);
    expect(p2p.config).toMatchObject({ workingDir: '/app', user: 'node', cmd: ['node', 'service.mjs'], env: { NODE_ENV: 'production', PORT: '8080' }, exposedPorts: ['8080/tcp'] });
    expect(p2p.layers.flatMap((l) => l.files)).toEqual([{ source: join(service!.artifactDir, 'service.mjs'), target: '/app/service.mjs' }]);

    const [fn] = await compileFunctions(source, out, { replicas: 1, stepTimeoutMs: 1000, watchdogTimeoutMs: 10_000, limits: { memory: '1', cpu: '1' }, imagePrefix: 'x/', gatewayUrl: 'http://g' });
    const text = await import('node:fs').then((fs) => fs.readFileSync(fn!.dockerfile, 'utf8'));
    const plan = planFromDockerfile(text, { contextDir: fn!.artifactDir, base: bases }, 'function');
    expect(plan.layers.flatMap((l) => l.files)).toEqual(
      expect.arrayContaining([{ source: WATCHDOG, target: '/usr/bin/fwatchdog' }, { source: join(fn!.artifactDir, 'index.mjs'), target: '/home/app/index.mjs' }]),
    );
    expect(plan.config).toMatchObject({ cmd: ['fwatchdog'], workingDir: '/home/app', env: { mode: 'http', fprocess: 'node index.mjs' } });
    expect(plan.notes).toEqual(['watchdog made here', 'node made here']);
  });

  it('refuses what it cannot build right: RUN, shell-form CMD, an unknown base, a file outside the context', () => {
    const dir = tempDir('fogbench-context-');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.txt'), 'a');
    const plan = (text: string) => planFromDockerfile(text, { contextDir: dir, base: bases }, 'Dockerfile');
    expect(() => plan('FROM node:20-alpine\nRUN npm ci\n')).toThrow(/line 2: RUN needs a container engine/);
    expect(() => plan('FROM node:20-alpine\nCMD node a.txt\n')).toThrow(/shell form/);
    expect(() => plan('FROM python:3\n')).toThrow(FogbenchError);
    expect(() => plan('FROM node:20\nCOPY ../etc/passwd /x\n')).toThrow(/outside the build context/);
    expect(() => plan('FROM node:20\nCOPY *.txt /x/\n')).toThrow(/wildcards/);
    // Folders and several sources copy as docker copies them.
    expect(plan('FROM node:20\nWORKDIR /w\nCOPY a.txt sub ./\n').layers[1]!.files).toEqual([
      { source: join(dir, 'a.txt'), target: '/w/a.txt' },
      { source: join(dir, 'sub'), target: '/w' },
    ]);
  });
});
