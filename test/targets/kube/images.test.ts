/**
 * Images for both systems through a registry: what fogbench runs with and without Docker,
 * through a RECORDING command runner and RECORDING node shells (commands recorded and
 * answered; no container engine runs here). The registry calls themselves (push, the
 * anonymous existence check OpenFaaS CE makes) run against a real registry in
 * registry-push.test.ts.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../clusters/run-command.ts';
import type { ExecResult, NodeShell } from '../../../clusters/ssh.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { contentTag, imageRef, provideImages, type ImageJob } from '../../../harness/targets/kube/images.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-images-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

class RecordingShell implements NodeShell {
  readonly commands: string[] = [];
  readonly uploads: string[] = [];
  constructor(readonly host: string, private readonly onCommand: (command: string) => void = () => {}) {}
  async exec(command: string): Promise<ExecResult> {
    this.commands.push(command);
    this.onCommand(command);
    if (command.startsWith('mktemp -d ')) return { stdout: `/tmp/fogbench.${this.host.replaceAll('-', '')}\n`, stderr: '', code: 0 };
    return { stdout: '', stderr: '', code: 0 };
  }
  async putFile(_local: string, remote: string) {
    this.uploads.push(remote);
  }
  async getFile() {}
  async putDirectory(_local: string, remote: string) {
    this.uploads.push(`${remote}/`);
  }
  dispose() {}
}

const noDocker: CommandRunner = async () => ({ stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock', exitCode: 1 });
const REGISTRY = '192.168.56.10:5000';

async function job(unit: string, withDockerfile = true, registry = REGISTRY): Promise<ImageJob> {
  const artifactDir = join(dir, unit);
  await mkdir(artifactDir, { recursive: true });
  if (withDockerfile) await writeFile(join(artifactDir, 'Dockerfile'), 'FROM node:20-alpine\n');
  return { unit, artifactDir, ref: imageRef(unit, '0123456789ab', registry) };
}

/** A registry that holds what was pushed, as seen by an anonymous HEAD. */
function fakeRegistry(initial: string[] = []) {
  const images = new Set(initial);
  return {
    images,
    hasImage: async (ref: string) => images.has(ref),
    pushArchive: async (_archive: string, ref: string) => void images.add(ref),
  };
}

describe('images through the cluster registry', () => {
  it('with Docker on this machine: builds, saves and pushes with fogbench\'s own client, then checks as OpenFaaS CE will', async () => {
    const calls: string[][] = [];
    const docker: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      return { stdout: args[0] === 'version' ? '27.3.1' : '', stderr: '', exitCode: 0 };
    };
    const registry = fakeRegistry();
    const j = await job('get');
    const how = await provideImages([j], { registry: REGISTRY, kind: 'cluster' }, { run: docker, shells: null, builderNode: null, progress: () => {}, ...registry });
    expect(how).toBe(`built on the host with Docker, pushed to the cluster registry ${REGISTRY}`);
    expect(calls.slice(1).map((c) => c.slice(0, 2))).toEqual([['docker', 'build'], ['docker', 'save']]);
    // No `docker push`: Docker would refuse a plain-HTTP registry unless the daemon lists it as insecure.
    expect(calls.some((c) => c[1] === 'push')).toBe(false);
    expect([...registry.images]).toEqual([j.ref]);
  });

  it('without Docker: builds and pushes with buildah on the K3s server, in a private folder, over plain HTTP', async () => {
    const registry = fakeRegistry();
    // buildah push lands the image in the registry.
    const pushed = (command: string) => {
      const m = /^sudo buildah push .* 'docker:\/\/([^']+)'$/.exec(command);
      if (m) registry.images.add(m[1]!);
    };
    const shells = new Map(['lab-server', 'lab-agent-1'].map((n) => [n, new RecordingShell(n, pushed)] as const));
    const how = await provideImages([await job('get')], { registry: REGISTRY, kind: 'cluster' }, { run: noDocker, shells, builderNode: 'lab-server', progress: () => {}, ...registry });
    expect(how).toBe(`built on the K3s server with buildah, pushed to the cluster registry ${REGISTRY}`);
    const server = shells.get('lab-server')!;
    expect(server.commands).toEqual([
      'mktemp -d /tmp/fogbench.XXXXXXXXXX',
      `sudo buildah bud --layers --tag '${REGISTRY}/fogbench-get:0123456789ab' '/tmp/fogbench.labserver/build-get'`,
      `sudo buildah push --tls-verify=false '${REGISTRY}/fogbench-get:0123456789ab' 'docker://${REGISTRY}/fogbench-get:0123456789ab'`,
      "rm -rf '/tmp/fogbench.labserver'",
    ]);
    expect(server.uploads).toEqual(['/tmp/fogbench.labserver/build-get/']);
    // Nothing is imported into the nodes' containerd any more: every node pulls from the registry.
    expect(shells.get('lab-agent-1')!.commands).toEqual([]);
  });

  it('skips images the registry already has (same content tag, same bytes)', async () => {
    const j = await job('get');
    const registry = fakeRegistry([j.ref]);
    const how = await provideImages([j], { registry: REGISTRY, kind: 'cluster' }, { run: noDocker, shells: null, builderNode: null, progress: () => {}, ...registry });
    expect(how).toBe(`already in the cluster registry ${REGISTRY} (content-tagged)`);
  });

  it('fails when a pushed image cannot be found anonymously afterwards', async () => {
    const docker: CommandRunner = async (_c, args) => ({ stdout: args[0] === 'version' ? '27' : '', stderr: '', exitCode: 0 });
    const error = await provideImages([await job('get')], { registry: REGISTRY, kind: 'cluster' }, {
      run: docker, shells: null, builderNode: null, progress: () => {}, hasImage: async () => false, pushArchive: async () => {},
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/was pushed but the cluster registry does not serve it to an anonymous client, as OpenFaaS CE will ask/);
  });

  it('says what to do with neither Docker nor SSH to the server (a cluster fogbench did not make)', async () => {
    const error = await provideImages([await job('get')], { registry: REGISTRY, kind: 'cluster' }, { run: noDocker, shells: null, builderNode: null, progress: () => {}, ...fakeRegistry() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/^no Docker engine on this host, and no SSH access to a K3s server to build on .*: start Docker$/);
  });
});

describe('images through a registry of the user\'s (--registry)', () => {
  it('builds and pushes with Docker (docker login applies), nothing over SSH', async () => {
    const calls: string[][] = [];
    const docker: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      return { stdout: args[0] === 'version' ? '27.3.1' : '', stderr: '', exitCode: 0 };
    };
    const j = await job('get', true, 'ghcr.io/me');
    const how = await provideImages([j], { registry: 'ghcr.io/me', kind: 'user' }, { run: docker, shells: null, builderNode: null, progress: () => {} });
    expect(how).toBe('built on the host with Docker, pushed to ghcr.io/me with docker push');
    expect(calls.slice(1)).toEqual([
      ['docker', 'build', '--tag', j.ref, j.artifactDir],
      ['docker', 'push', j.ref],
    ]);
  });

  it('refuses a unit without a Dockerfile, and --registry without Docker', async () => {
    await expect(provideImages([await job('bare', false)], { registry: REGISTRY, kind: 'cluster' }, { run: noDocker, shells: null, builderNode: null, progress: () => {} })).rejects.toThrow(
      /has no Dockerfile, so unit bare cannot run on Kubernetes/,
    );
    const error = await provideImages([await job('get')], { registry: 'reg.lab:5000', kind: 'user' }, { run: noDocker, shells: null, builderNode: null, progress: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/--registry needs a Docker engine on this host/);
  });
});

describe('image tags', () => {
  it('hash the artifact folder: stable, content-sensitive, never latest', async () => {
    await writeFile(join(dir, 'Dockerfile'), 'FROM node:20-alpine\n');
    await writeFile(join(dir, 'index.mjs'), 'console.log(1)\n');
    const first = await contentTag(dir);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(await contentTag(dir)).toBe(first);
    await writeFile(join(dir, 'index.mjs'), 'console.log(2)\n');
    expect(await contentTag(dir)).not.toBe(first);
    expect(imageRef('get', first, 'registry.lab:5000/')).toBe(`registry.lab:5000/fogbench-get:${first}`);
  });
});
