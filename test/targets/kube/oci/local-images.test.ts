/**
 * Images packed on this host with umoci from a compiled unit's Dockerfile, pushed to a REAL
 * registry, then read back by crane as any client pulls them (every blob against its digest),
 * and the image's own filesystem run: its node answers from a chroot, with only the libraries
 * the image holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileServices, loadScenarioSource } from '../../../../harness/dataflow/compile.ts';
import { makeBaseResolver } from '../../../../harness/targets/kube/oci/base-images.ts';
import { packAndPush, unitImagePlan } from '../../../../harness/targets/kube/oci/local-images.ts';
import { tempDir } from '../../../helpers/temp.ts';
import { registryUnavailable, startRegistry, type TestRegistry } from '../registry-server.ts';

const unavailable = (await registryUnavailable()) ?? (process.getuid?.() === 0 ? null : 'chroot needs root');
if (unavailable) console.warn(`skipping the image packing tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('images packed here with umoci, pushed and pulled', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => registry?.stop());

  it("packs a p2p service from its Dockerfile on this host's node, and the image runs it", async () => {
    const out = tempDir('fogbench-pack-');
    const [service] = await compileServices(await loadScenarioSource('scenarios/temperature.ts'), out);
    const bases = await makeBaseResolver({ node: { path: realpathSync(process.execPath), version: process.version }, watchdog: null });
    const ref = `${registry.address}/fogbench-get:test`;
    const cache = join(out, 'cache');
    const notes = await packAndPush([{ ref, plan: await unitImagePlan(service!.artifactDir, bases) }], { cacheDir: cache, workDir: out, progress: () => {} });
    expect(notes.join(' ')).toMatch(/this host's node v\d+/);

    await registry.crane('validate', '--remote', ref);
    const config = JSON.parse(await registry.crane('config', ref)) as { config: { Cmd: string[]; WorkingDir: string; User: string; Env: string[] } };
    expect(config.config).toMatchObject({ Cmd: ['node', 'service.mjs'], WorkingDir: '/app', User: 'node' });
    expect(config.config.Env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'PORT=8080']));

    const rootfs = join(out, 'rootfs');
    mkdirSync(rootfs);
    const tarball = join(out, 'image.tar');
    await registry.crane('export', ref, tarball);
    execFileSync('tar', ['-x', '-f', tarball, '-C', rootfs]);
    expect(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8')).toMatch(/^node:x:1000:1000:/m);
    expect(readdirSync(join(rootfs, 'app'))).toEqual(['service.mjs']);
    const answer = execFileSync('chroot', [rootfs, '/usr/local/bin/node', '-e', 'console.log(process.version)'], { encoding: 'utf8' }).trim();
    expect(answer).toBe(process.version);

    // A second image reuses the packed base: one base in the cache.
    await packAndPush([{ ref: `${registry.address}/fogbench-get:again`, plan: await unitImagePlan(service!.artifactDir, bases) }], { cacheDir: cache, workDir: out, progress: () => {} });
    expect(readdirSync(cache).filter((d) => !d.startsWith('.'))).toHaveLength(1);
  }, 120_000);
});
