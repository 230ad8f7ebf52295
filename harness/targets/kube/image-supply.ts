/**
 * Where the kube target's images go and who builds them, for one target: --registry, else the
 * cluster's own registry (its address read from the ConfigMap it publishes); built here with
 * Docker, on a local cluster packed here (local-cluster.ts), or with buildah on the K3s server
 * over SSH when this host has no Docker (images.ts does the building).
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { REGISTRY_CONFIGMAP, REGISTRY_NAMESPACE } from '../../../clusters/registry.ts';
import { connectClusterNodes } from '../../../clusters/provision.ts';
import type { CommandRunner } from '../../../clusters/run-command.ts';
import type { NodeShell } from '../../../clusters/ssh.ts';
import { deployError, environmentError } from '../../errors.ts';
import { apiMessage } from './api-calls.ts';
import { contentTag, hostHasDocker, imageRef, provideImages, type ImageDestination, type ImageJob } from './images.ts';
import type { LocalClusterAccess } from './local-cluster.ts';
import { kubeName } from './manifests.ts';

export interface ImageSupplyContext {
  /** --registry: a registry of the user's. */
  registry: string | undefined;
  run: CommandRunner;
  progress: (message: string) => void;
  /** The prepared cluster: its API, its state folder (a fogbench-made cluster), its local access. */
  cluster(): { core: CoreV1Api; stateDir: string | undefined; local: LocalClusterAccess | null };
  provideImages: typeof provideImages | undefined;
  /** SSH to the K3s server, in place of the cluster state's own (tests). */
  connectNodes: ConnectNodes | undefined;
}

/** SSH to the nodes of a cluster made by `cluster up`, and the node that builds images. */
export type ConnectNodes = (stateDir: string) => Promise<{ shells: Map<string, NodeShell>; builder: string | null }>;

export interface ImageSupply {
  destination(): Promise<ImageDestination>;
  /** Builds and pushes the units' images; returns unit name → image reference. */
  build(units: readonly { name: string; artifactDir: string }[]): Promise<Map<string, string>>;
  /** For describe(): how the images were provided, and where to (undefined until known). */
  readonly source: string;
  readonly knownDestination: ImageDestination | undefined;
  /** Closes the SSH connections, if any were opened. */
  dispose(): void;
}

export function createImageSupply(ctx: ImageSupplyContext): ImageSupply {
  let source = 'not built yet';
  let destination: ImageDestination | undefined;
  let shells: Map<string, NodeShell> | null | undefined;
  let builder: string | null = null;

  const nodeShells = async (): Promise<Map<string, NodeShell> | null> => {
    if (shells !== undefined) return shells;
    const { stateDir } = ctx.cluster();
    if (!stateDir) return (shells = null);
    if (ctx.connectNodes) {
      const connected = await ctx.connectNodes(stateDir);
      builder = connected.builder;
      return (shells = connected.shells);
    }
    const connected = await connectClusterNodes(stateDir);
    builder = connected.state.nodes.find((n) => n.role === 'server')?.name ?? null;
    return (shells = connected.shells);
  };

  /** --registry, else the address the cluster's own registry published in its ConfigMap. */
  const imageDestination = async (): Promise<ImageDestination> => {
    if (destination) return destination;
    if (ctx.registry) return (destination = { registry: ctx.registry.replace(/\/+$/, ''), kind: 'user' });
    let address: string | undefined;
    try {
      address = (await ctx.cluster().core.readNamespacedConfigMap({ name: REGISTRY_CONFIGMAP, namespace: REGISTRY_NAMESPACE })).data?.address;
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw deployError(`reading the cluster registry's address failed: ${apiMessage(error)}`, error);
    }
    if (!address) {
      throw environmentError(
        `this cluster serves no image registry (no ConfigMap ${REGISTRY_NAMESPACE}/${REGISTRY_CONFIGMAP}): make the cluster with \`npm run cluster -- up\` ` +
          '(or install K3s with the files `npm run cluster -- render` writes), or pass --registry REGISTRY that every node can pull from anonymously',
      );
    }
    return (destination = { registry: address, kind: 'cluster' });
  };

  return {
    destination: imageDestination,
    async build(units) {
      const target = await imageDestination();
      const jobs: ImageJob[] = [];
      const refs = new Map<string, string>();
      for (const unit of units) {
        const ref = imageRef(kubeName(unit.name), await contentTag(unit.artifactDir), target.registry);
        refs.set(unit.name, ref);
        jobs.push({ unit: kubeName(unit.name), artifactDir: unit.artifactDir, ref });
      }
      const { local } = ctx.cluster();
      // SSH to the K3s server is needed only to build there, when this host has no Docker; a local cluster packs here.
      const sshBuilder = local === null && target.kind === 'cluster' && !(await hostHasDocker(ctx.run)) ? await nodeShells() : null;
      source = await (ctx.provideImages ?? provideImages)(jobs, target, {
        run: ctx.run,
        shells: sshBuilder,
        builderNode: builder,
        progress: ctx.progress,
        ...(local ? { localImages: (missing: readonly ImageJob[]) => local.packImages(missing, ctx.progress) } : {}),
      });
      return refs;
    },
    get source() {
      return source;
    },
    get knownDestination() {
      return destination;
    },
    dispose() {
      if (shells) for (const s of shells.values()) s.dispose();
      shells = undefined;
    },
  };
}
