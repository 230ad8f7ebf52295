/**
 * The cluster config (clusters/sizes.yaml): node sizes, pinned versions, the Vagrant subnet
 * and per-unit requests/limits. Parsed and checked here so that a typo fails at `cluster up`
 * with the key to fix, not half-way through provisioning.
 */
import { readInputFile } from '../harness/safe-fs.ts';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { usageError } from '../harness/errors.ts';

export interface NodeSize {
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
}

export interface UnitResources {
  cpuRequest: string;
  cpuLimit: string;
  memoryRequestMiB: number;
  memoryLimitMiB: number;
}

export interface ClusterConfig {
  nodes: { server: NodeSize; agent: NodeSize };
  image: { multipass: string; vagrantBox: string; vagrantBoxVersion: string };
  k3s: { version: string };
  vagrant: { subnet: string; firstHost: number };
  openfaas: { chartVersion: string };
  units: UnitResources;
}

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('./sizes.yaml', import.meta.url));

export async function loadClusterConfig(file: string = DEFAULT_CONFIG_FILE): Promise<ClusterConfig> {
  return parseClusterConfig(await readInputFile(file, 'cluster config'), file);
}

/** Checks every key the harness reads; `where` names the file in messages. */
export function parseClusterConfig(text: string, where = 'sizes.yaml'): ClusterConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw usageError(`${where} is not valid YAML: ${(error as Error).message.split('\n')[0]}`, error);
  }
  const get = (path: string): unknown =>
    path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw);
  const positiveInt = (path: string): number => {
    const v = get(path);
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw usageError(`${where}: ${path} must be a positive integer`);
    return v;
  };
  const text_ = (path: string, pattern?: RegExp): string => {
    const v = get(path);
    if (typeof v !== 'string' || v === '' || (pattern && !pattern.test(v))) {
      throw usageError(`${where}: ${path} must be a string${pattern ? ` matching ${pattern}` : ''}`);
    }
    return v;
  };
  const size = (role: string): NodeSize => ({
    cpus: positiveInt(`nodes.${role}.cpus`),
    memoryMiB: positiveInt(`nodes.${role}.memoryMiB`),
    diskGiB: positiveInt(`nodes.${role}.diskGiB`),
  });
  const config: ClusterConfig = {
    nodes: { server: size('server'), agent: size('agent') },
    image: {
      multipass: text_('image.multipass'),
      vagrantBox: text_('image.vagrantBox'),
      vagrantBoxVersion: text_('image.vagrantBoxVersion'),
    },
    // A K3s release tag: the installer refuses anything else, and `latest` would not be pinned.
    k3s: { version: text_('k3s.version', /^v\d+\.\d+\.\d+\+k3s\d+$/) },
    vagrant: { subnet: text_('vagrant.subnet', /^\d+\.\d+\.\d+\.0\/24$/), firstHost: positiveInt('vagrant.firstHost') },
    openfaas: { chartVersion: text_('openfaas.chartVersion', /^\d+\.\d+\.\d+$/) },
    units: {
      cpuRequest: text_('units.cpuRequest', /^\d+(\.\d+)?m?$/),
      cpuLimit: text_('units.cpuLimit', /^\d+(\.\d+)?m?$/),
      memoryRequestMiB: positiveInt('units.memoryRequestMiB'),
      memoryLimitMiB: positiveInt('units.memoryLimitMiB'),
    },
  };
  if (config.vagrant.firstHost > 250) throw usageError(`${where}: vagrant.firstHost must leave room for the agents (<= 250)`);
  return config;
}
