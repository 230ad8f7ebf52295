/**
 * Container images for both systems, always through a registry the nodes pull from, since
 * OpenFaaS CE accepts only images it can find in a registry anonymously and pulls them with
 * imagePullPolicy Always (see clusters/registry.ts). The tag is a hash of the unit's artifact
 * folder (never `latest`), so an image already in the registry is the same content and is not
 * built again.
 *
 * - The cluster's own registry (fogbench clusters, the nightly job): images are built with
 *   Docker on this machine and pushed by fogbench itself over plain HTTP (registry-push.ts),
 *   or, without Docker, built and pushed with buildah on the K3s server over SSH.
 * - A registry of the user's (--registry): built and pushed with Docker (`docker login` first);
 *   it must allow anonymous pulls for OpenFaaS CE.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deployError, environmentError } from '../../errors.ts';
import { firstLine, type CommandRunner } from '../../../clusters/run-command.ts';
import { mustExec, shellQuote, type NodeShell } from '../../../clusters/ssh.ts';
import { pushDockerArchive, registryHasImage } from './registry-push.ts';

/** sha256 over every file's relative path and bytes, in a stable order; first 12 hex digits. */
export async function contentTag(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (folder: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        hash.update(`${relative(dir, full)}\0`);
        hash.update(await readFile(full));
        hash.update('\0');
      }
    }
  };
  await walk(dir);
  return hash.digest('hex').slice(0, 12);
}

export function imageRef(unit: string, tag: string, registry: string): string {
  return `${registry.replace(/\/+$/, '')}/fogbench-${unit}:${tag}`;
}

export interface ImageJob {
  unit: string;
  artifactDir: string;
  ref: string;
}

/** Where images go: the cluster's own plain-HTTP registry, or one the user named with --registry. */
export interface ImageDestination {
  registry: string;
  kind: 'cluster' | 'user';
}

export interface ImageTools {
  run: CommandRunner;
  /** SSH to every node of a fogbench-made cluster, or null for a cluster fogbench cannot reach. */
  shells: ReadonlyMap<string, NodeShell> | null;
  /** Name of the node that builds when the host cannot (the K3s server). */
  builderNode: string | null;
  progress: (message: string) => void;
  /** Packs images on this host without a container engine (a local cluster): used instead of Docker or buildah. */
  localImages?: (jobs: readonly ImageJob[]) => Promise<string>;
  /** Replaceable in tests; default: the real registry calls. */
  hasImage?: (ref: string) => Promise<boolean>;
  pushArchive?: (archive: string, ref: string) => Promise<void>;
}

export async function hostHasDocker(run: CommandRunner): Promise<boolean> {
  try {
    const r = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15_000 });
    return r.exitCode === 0;
  } catch {
    return false;
  }
}

async function requireDockerfile(job: ImageJob): Promise<void> {
  const ok = await stat(join(job.artifactDir, 'Dockerfile')).then((s) => s.isFile(), () => false);
  if (!ok) throw deployError(`${job.artifactDir} has no Dockerfile, so unit ${job.unit} cannot run on Kubernetes; recompile the scenario`);
}

/** Makes every image pullable from the destination registry; returns how (for the run manifest). */
export async function provideImages(jobs: readonly ImageJob[], destination: ImageDestination, tools: ImageTools): Promise<string> {
  for (const job of jobs) await requireDockerfile(job);
  const hasImage = tools.hasImage ?? ((ref: string) => registryHasImage(ref));
  const pushArchive = tools.pushArchive ?? ((archive: string, ref: string) => pushDockerArchive(archive, ref));
  // Content-tagged: an image already in the cluster registry is exactly this build.
  const missing: ImageJob[] = [];
  for (const job of jobs) if (destination.kind !== 'cluster' || !(await hasImage(job.ref))) missing.push(job);
  if (missing.length === 0) return `already in the cluster registry ${destination.registry} (content-tagged)`;
  if (tools.localImages && destination.kind === 'cluster') {
    const how = await tools.localImages(missing);
    for (const job of missing) {
      if (!(await hasImage(job.ref))) throw deployError(`${job.ref} was pushed but the cluster registry does not serve it to an anonymous client`);
    }
    return how;
  }

  const docker = await hostHasDocker(tools.run);
  let how: string;
  if (destination.kind === 'user') {
    if (!docker) throw environmentError('--registry needs a Docker engine on this host to build and push the images; start Docker, or drop --registry on a fogbench cluster');
    for (const job of missing) {
      await dockerBuild(tools, job);
      const pushed = await tools.run('docker', ['push', job.ref], { timeoutMs: 600_000 });
      if (pushed.exitCode !== 0) throw deployError(`docker push ${job.ref} failed: ${firstLine(pushed)}; check \`docker login\` for ${destination.registry}`);
    }
    how = `built on the host with Docker, pushed to ${destination.registry} with docker push`;
  } else if (docker) {
    const scratch = await mkdtemp(join(tmpdir(), 'fogbench-images-'));
    try {
      for (const job of missing) {
        await dockerBuild(tools, job);
        const archive = join(scratch, `${job.unit}.tar`);
        const saved = await tools.run('docker', ['save', '-o', archive, job.ref], { timeoutMs: 600_000 });
        if (saved.exitCode !== 0) throw deployError(`docker save ${job.ref} failed: ${firstLine(saved)}`);
        tools.progress(`pushing ${job.ref} to the cluster registry`);
        await pushArchive(archive, job.ref);
        await rm(archive, { force: true });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    how = `built on the host with Docker, pushed to the cluster registry ${destination.registry}`;
  } else {
    const builder = tools.builderNode ? tools.shells?.get(tools.builderNode) : undefined;
    if (!builder) {
      throw environmentError('no Docker engine on this host, and no SSH access to a K3s server to build on (the cluster was not made by `npm run cluster -- up`): start Docker');
    }
    for (const job of missing) {
      tools.progress(`building ${job.ref} with buildah on ${tools.builderNode} and pushing it to the cluster registry`);
      await buildahBuildAndPush(builder, job);
    }
    how = `built on the K3s server with buildah, pushed to the cluster registry ${destination.registry}`;
  }
  if (destination.kind === 'cluster') {
    for (const job of missing) {
      if (!(await hasImage(job.ref))) throw deployError(`${job.ref} was pushed but the cluster registry does not serve it to an anonymous client, as OpenFaaS CE will ask`);
    }
  }
  return how;
}

async function dockerBuild(tools: ImageTools, job: ImageJob): Promise<void> {
  tools.progress(`building ${job.ref} with Docker on this host`);
  const built = await tools.run('docker', ['build', '--tag', job.ref, job.artifactDir], { timeoutMs: 900_000 });
  if (built.exitCode !== 0) throw deployError(`docker build of ${job.unit} failed: ${firstLine(built)}`);
}

/** buildah on the K3s server: the registry is on that node, reached by its private address over HTTP. */
export function buildahCommands(job: ImageJob, remoteDir: string): string[] {
  return [
    `sudo buildah bud --layers --tag ${shellQuote(job.ref)} ${shellQuote(remoteDir)}`,
    `sudo buildah push --tls-verify=false ${shellQuote(job.ref)} ${shellQuote(`docker://${job.ref}`)}`,
  ];
}

async function buildahBuildAndPush(shell: NodeShell, job: ImageJob): Promise<void> {
  // A private folder mktemp makes: no fixed /tmp path that another user could prepare is used with sudo.
  const scratch = (await mustExec(shell, 'mktemp -d /tmp/fogbench.XXXXXXXXXX', 'making a build folder')).trim();
  try {
    const remoteDir = `${scratch}/build-${job.unit}`;
    await shell.putDirectory(job.artifactDir, remoteDir);
    for (const command of buildahCommands(job, remoteDir)) await mustExec(shell, command, `building ${job.ref}`);
  } finally {
    await shell.exec(`rm -rf ${shellQuote(scratch)}`);
  }
}
