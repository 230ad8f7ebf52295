/**
 * Container images for units, without needing a registry: the tag is a hash of the unit's
 * artifact folder (never `latest`, so a changed service can never run an old image that a
 * node cached), built with Docker on the host when it has an engine, or with buildah on the
 * K3s server, then imported into every node's containerd with `k3s ctr images import`.
 * With --registry the image is pushed there instead and nodes pull it.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { deployError, environmentError } from '../../errors.ts';
import { firstLine, type CommandRunner } from '../../../clusters/run-command.ts';
import { mustExec, shellQuote, type NodeShell } from '../../../clusters/ssh.ts';

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

export function imageRef(unit: string, tag: string, registry?: string): string {
  const repository = registry ? `${registry.replace(/\/+$/, '')}/fogbench-${unit}` : `fogbench/${unit}`;
  return `${repository}:${tag}`;
}

export interface ImageJob {
  unit: string;
  artifactDir: string;
  ref: string;
}

export interface ImageTools {
  run: CommandRunner;
  /** SSH to every node of a fogbench-made cluster, or null for a cluster fogbench cannot reach. */
  shells: ReadonlyMap<string, NodeShell> | null;
  /** Name of the node that builds when the host cannot (the K3s server). */
  builderNode: string | null;
  progress: (message: string) => void;
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

/** Makes every image available to the cluster; returns how (for the run manifest). */
export async function provideImages(jobs: readonly ImageJob[], options: { registry?: string }, tools: ImageTools): Promise<string> {
  for (const job of jobs) await requireDockerfile(job);
  const docker = await hostHasDocker(tools.run);
  if (options.registry) {
    if (!docker) throw environmentError('--registry needs a Docker engine on this host to build and push the images; start Docker or drop --registry on a fogbench cluster');
    for (const job of jobs) {
      await dockerBuild(tools.run, job);
      const pushed = await tools.run('docker', ['push', job.ref], { timeoutMs: 600_000 });
      if (pushed.exitCode !== 0) throw deployError(`docker push ${job.ref} failed: ${firstLine(pushed)}; check \`docker login\` for ${options.registry}`);
    }
    return `built on the host with Docker, pushed to ${options.registry}`;
  }
  if (!tools.shells) {
    throw environmentError('this cluster was not made by `npm run cluster -- up`, so fogbench cannot copy images onto its nodes: pass --registry REGISTRY that the nodes can pull from');
  }
  const shells = [...tools.shells.values()];
  const scratch = await mkdtemp(join(tmpdir(), 'fogbench-images-'));
  try {
    for (const job of jobs) {
      const archive = join(scratch, `${job.unit}.tar`);
      const remoteArchive = `/tmp/fogbench-image-${job.unit}.tar`;
      if (docker) {
        tools.progress(`building ${job.ref} with Docker on this host`);
        await dockerBuild(tools.run, job);
        const saved = await tools.run('docker', ['save', '-o', archive, job.ref], { timeoutMs: 600_000 });
        if (saved.exitCode !== 0) throw deployError(`docker save ${job.ref} failed: ${firstLine(saved)}`);
      } else {
        const builder = tools.builderNode ? tools.shells.get(tools.builderNode) : undefined;
        if (!builder) throw environmentError('no Docker engine on this host and no K3s server to build on; start Docker or pass --registry');
        tools.progress(`building ${job.ref} with buildah on ${tools.builderNode}`);
        await buildahBuild(builder, job, remoteArchive);
        await builder.getFile(archive, remoteArchive);
      }
      tools.progress(`importing ${job.ref} into containerd on ${shells.length} nodes`);
      await Promise.all(shells.map((shell) => importArchive(shell, archive, remoteArchive)));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return docker ? 'built on the host with Docker, imported into every node with k3s ctr' : 'built on the K3s server with buildah, imported into every node with k3s ctr';
}

async function dockerBuild(run: CommandRunner, job: ImageJob): Promise<void> {
  const built = await run('docker', ['build', '--tag', job.ref, job.artifactDir], { timeoutMs: 900_000 });
  if (built.exitCode !== 0) throw deployError(`docker build of ${job.unit} failed: ${firstLine(built)}`);
}

export function buildahCommands(job: ImageJob, remoteDir: string, remoteArchive: string): string[] {
  return [
    `sudo buildah bud --layers --tag ${shellQuote(job.ref)} ${shellQuote(remoteDir)}`,
    `rm -f ${shellQuote(remoteArchive)}`,
    `sudo buildah push ${shellQuote(job.ref)} ${shellQuote(`docker-archive:${remoteArchive}:${job.ref}`)}`,
    `sudo chmod 0644 ${shellQuote(remoteArchive)}`,
  ];
}

async function buildahBuild(shell: NodeShell, job: ImageJob, remoteArchive: string): Promise<void> {
  const remoteDir = `/tmp/fogbench-build/${job.unit}`;
  await mustExec(shell, `rm -rf ${shellQuote(remoteDir)} && mkdir -p ${shellQuote(remoteDir)}`, 'preparing the build folder');
  await shell.putDirectory(job.artifactDir, remoteDir);
  for (const command of buildahCommands(job, remoteDir, remoteArchive)) await mustExec(shell, command, `building ${job.ref}`);
}

export function importCommand(remoteArchive: string): string {
  // --all-platforms is not needed: the archive holds the node's own architecture only.
  return `sudo k3s ctr images import ${shellQuote(remoteArchive)} && rm -f ${shellQuote(remoteArchive)}`;
}

async function importArchive(shell: NodeShell, archive: string, remoteArchive: string): Promise<void> {
  await shell.putFile(archive, remoteArchive);
  await mustExec(shell, importCommand(remoteArchive), 'importing the image');
}
