/**
 * The base images fogbench can make on this host, for the registry images its compilers'
 * Dockerfiles start FROM when no registry can be reached:
 *
 * - `node:<major>[-variant]` (node:20-alpine): this host's own `node` with the libraries it
 *   loads, /etc/passwd with the `node` user (uid 1000, as in the node images), a /tmp for
 *   everyone. Only when this host's node has that major version: a Dockerfile asking node 22
 *   of a host running node 20 is refused, not given the wrong node.
 * - `ghcr.io/openfaas/of-watchdog:<release>`: the of-watchdog fog runs, built from the pinned
 *   source (harness/openfaas/binaries), as /fwatchdog, only for the pinned release.
 *
 * The notes say plainly what stood in for what; they go into the run manifest.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { runtimeFiles } from './binary-files.ts';
import { DEFAULT_PATH, groupFile, passwdFile, type BaseImage } from './image-plan.ts';

export interface BaseSources {
  /** The node binary of this host and its version ("v20.20.2"). */
  node: { path: string; version: string };
  /** The pinned of-watchdog build and its release, when available. */
  watchdog: { path: string; release: string } | null;
}

export type BaseResolver = (reference: string) => BaseImage | null;

const stamp = (path: string) => {
  const s = statSync(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
};

export async function makeBaseResolver(sources: BaseSources): Promise<BaseResolver> {
  const major = /^v(\d+)\./.exec(sources.node.version)?.[1];
  const files = await runtimeFiles(sources.node.path, '/usr/local/bin/node');
  const nodeId = createHash('sha256').update(['node', sources.node.version, ...files.map((f) => `${f.target}=${stamp(f.source)}`)].join('\n')).digest('hex').slice(0, 16);
  const nodeBase: BaseImage = {
    id: `node-${nodeId}`,
    layers: [
      {
        description: `node ${sources.node.version} of this host and the ${files.length - 1} libraries it loads`,
        files: files.map((f) => ({ source: f.source, target: f.target })),
        dirs: [
          { target: '/tmp', mode: 0o1777 },
          { target: '/home/node', mode: 0o755, uid: 1000, gid: 1000 },
        ],
        texts: [passwdFile(), groupFile()].map((t) => ({ ...t, mode: 0o644 })),
      },
    ],
    config: { env: { PATH: DEFAULT_PATH, NODE_VERSION: sources.node.version.replace(/^v/, '') }, cmd: ['node'], exposedPorts: [], labels: {} },
    note: `node images (FROM node:${major}...) are made here from this host's node ${sources.node.version} and the glibc libraries it loads, not pulled`,
  };
  const watchdog = sources.watchdog;
  const watchdogBase: BaseImage | null = watchdog
    ? {
        id: `of-watchdog-${createHash('sha256').update(stamp(watchdog.path)).digest('hex').slice(0, 16)}`,
        layers: [{ description: `of-watchdog ${watchdog.release} (pinned source build)`, files: [{ source: watchdog.path, target: '/fwatchdog' }] }],
        config: { env: { PATH: DEFAULT_PATH }, cmd: ['/fwatchdog'], exposedPorts: [], labels: {} },
        note: `the of-watchdog image (ghcr.io/openfaas/of-watchdog:${watchdog.release}) is made here from the pinned source build of the same release, not pulled`,
        files: { '/fwatchdog': watchdog.path },
      }
    : null;
  return (reference) => {
    const name = reference.replace(/^(docker\.io\/)?(library\/)?/, '');
    const nodeRef = /^node:(\d+)(?:[.-].*)?$/.exec(name);
    if (nodeRef) return nodeRef[1] === major ? nodeBase : null;
    const watchdogRef = /^ghcr\.io\/openfaas\/of-watchdog:(.+)$/.exec(reference);
    if (watchdogRef && watchdogBase && watchdogRef[1] === watchdog!.release) return watchdogBase;
    return null;
  };
}
