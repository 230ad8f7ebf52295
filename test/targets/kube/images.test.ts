/**
 * Image distribution without a registry, through RECORDING node shells (our NodeShell seam:
 * commands are recorded and answered, files copied locally); no container engine runs.
 */
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../../../clusters/run-command.ts';
import type { ExecResult, NodeShell } from '../../../clusters/ssh.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { provideImages, type ImageJob } from '../../../harness/targets/kube/images.ts';

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
  constructor(readonly host: string, private readonly remoteRoot: string) {}
  async exec(command: string): Promise<ExecResult> {
    this.commands.push(command);
    // buildah push writes the archive on the builder; simulate the file it leaves behind.
    const push = /buildah push .* 'docker-archive:([^:]+):/.exec(command);
    if (push) await writeFile(join(this.remoteRoot, push[1]!.replaceAll('/', '_')), 'image archive bytes');
    return { stdout: '', stderr: '', code: 0 };
  }
  async putFile(local: string, remote: string) {
    this.uploads.push(remote);
    await copyFile(local, join(this.remoteRoot, remote.replaceAll('/', '_')));
  }
  async getFile(local: string, remote: string) {
    await copyFile(join(this.remoteRoot, remote.replaceAll('/', '_')), local);
  }
  async putDirectory(_local: string, remote: string) {
    this.uploads.push(`${remote}/`);
  }
  dispose() {}
}

const noDocker: CommandRunner = async () => ({ stdout: '', stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock', exitCode: 1 });

async function job(unit: string, withDockerfile = true): Promise<ImageJob> {
  const artifactDir = join(dir, unit);
  await mkdir(artifactDir, { recursive: true });
  if (withDockerfile) await writeFile(join(artifactDir, 'Dockerfile'), 'FROM node:20-alpine\n');
  return { unit, artifactDir, ref: `fogbench/${unit}:0123456789ab` };
}

describe('image distribution', () => {
  it('without Docker: builds with buildah on the server and imports into every node with k3s ctr', async () => {
    const remote = await mkdtemp(join(dir, 'remote-'));
    const shells = new Map(['lab-server', 'lab-agent-1', 'lab-agent-2'].map((n) => [n, new RecordingShell(n, remote)] as const));
    const how = await provideImages([await job('get')], {}, { run: noDocker, shells, builderNode: 'lab-server', progress: () => {} });
    expect(how).toBe('built on the K3s server with buildah, imported into every node with k3s ctr');
    const server = shells.get('lab-server')!;
    expect(server.uploads[0]).toBe('/tmp/fogbench-build/get/');
    expect(server.commands).toContain("sudo buildah bud --layers --tag 'fogbench/get:0123456789ab' '/tmp/fogbench-build/get'");
    expect(server.commands).toContain("sudo buildah push 'fogbench/get:0123456789ab' 'docker-archive:/tmp/fogbench-image-get.tar:fogbench/get:0123456789ab'");
    for (const shell of shells.values()) {
      expect(shell.uploads).toContain('/tmp/fogbench-image-get.tar');
      expect(shell.commands.at(-1)).toBe("sudo k3s ctr images import '/tmp/fogbench-image-get.tar' && rm -f '/tmp/fogbench-image-get.tar'");
    }
    expect(await readFile(join(remote, '_tmp_fogbench-image-get.tar'), 'utf8')).toBe('image archive bytes');
  });

  it('refuses a unit without a Dockerfile, and --registry without Docker', async () => {
    const shells = new Map([['n', new RecordingShell('n', dir)]]);
    await expect(provideImages([await job('bare', false)], {}, { run: noDocker, shells, builderNode: 'n', progress: () => {} })).rejects.toThrow(/has no Dockerfile, so unit bare cannot run on Kubernetes/);
    const error = await provideImages([await job('get')], { registry: 'reg.lab:5000' }, { run: noDocker, shells: null, builderNode: null, progress: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/--registry needs a Docker engine on this host/);
  });

  it('with a Docker engine and a registry: builds and pushes, nothing over SSH', async () => {
    const calls: string[][] = [];
    const docker: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      return { stdout: args[0] === 'version' ? '27.3.1' : '', stderr: '', exitCode: 0 };
    };
    const j = { ...(await job('get')), ref: 'reg.lab:5000/fogbench-get:0123456789ab' };
    const how = await provideImages([j], { registry: 'reg.lab:5000' }, { run: docker, shells: null, builderNode: null, progress: () => {} });
    expect(how).toBe('built on the host with Docker, pushed to reg.lab:5000');
    expect(calls.slice(1)).toEqual([
      ['docker', 'build', '--tag', j.ref, j.artifactDir],
      ['docker', 'push', j.ref],
    ]);
  });
});
