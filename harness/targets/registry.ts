/**
 * The targets a bench can run on. Each target declares what it adds to the command line (its
 * own options and maintenance commands, e.g. fog's `--cleanup`) in a TargetDefinition; the
 * bench and serve commands register every target's options from here and hand each target
 * only its own. Adding a target touches its own folder and the TARGET_DEFINITIONS list below.
 */
import { usageError } from '../errors.ts';
import { kubeTargetDefinition } from './kube/cli.ts';
import { cleanupLeftovers } from './local/cleanup.ts';
import { createFogTarget } from './local/fog-target.ts';
import { createLoopbackTarget } from './loopback/loopback-target.ts';
import type { Target } from './target.ts';

/** What every target is given, whatever it is. */
export interface CommonTargetOptions {
  runId: string;
  /** fog runs keep owner records here (default /run/fogbench); FOGBENCH_OWNER_DIR, read by the CLI. */
  ownerDir?: string;
  /** Progress lines from long target work (image builds, cluster checks). */
  progress?: (message: string) => void;
}

/** One command-line option a target owns. */
export interface TargetOption {
  /** commander flags, e.g. "--kubeconfig <file>"; a flag without a value is a boolean. */
  flags: string;
  /** The key commander parses it into (camelCase of the long flag). */
  key: string;
  description: string;
  parse?: (value: string) => unknown;
}

/** A maintenance command a target owns: run instead of a benchmark when its flag is given. */
export interface TargetMaintenance {
  flags: string;
  key: string;
  description: string;
  /** Does the work and returns what to print. */
  run(common: Omit<CommonTargetOptions, 'runId'>): Promise<string>;
}

export interface TargetDefinition {
  name: string;
  description: string;
  options: TargetOption[];
  maintenance?: TargetMaintenance[];
  /** `own` holds this target's options only, by key, as the CLI parsed them. */
  create(common: CommonTargetOptions, own: Readonly<Record<string, unknown>>): Target | Promise<Target>;
}

/** Text of a fog cleanup, as `bench --cleanup` prints it. */
async function fogCleanup(common: Omit<CommonTargetOptions, 'runId'>): Promise<string> {
  const report = await cleanupLeftovers(common.ownerDir ? { ownerDir: common.ownerDir } : {});
  const removed = [...report.namespaces, ...report.interfaces, ...report.cgroups, ...report.folders];
  const lines =
    removed.length === 0
      ? ['no namespace, interface, cgroup or folder of a dead fog run to clean up']
      : [`removed ${report.namespaces.length} namespaces, ${report.interfaces.length} interfaces, ${report.cgroups.length} cgroups, ${report.folders.length} folders`, ...removed.map((n) => `  ${n}`)];
  if (report.live.length) lines.push(`left alone (their run is still going): ${report.live.join(', ')}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  return `${lines.join('\n')}\n`;
}

// fog's and loopback's definitions live here until their folders (harness/targets/local,
// harness/targets/loopback) take them over, as kube's lives in harness/targets/kube/cli.ts.
const fogTargetDefinition: TargetDefinition = {
  name: 'fog',
  description: 'fog-in-a-box on this host: network namespaces as pods, cgroups as nodes (root)',
  options: [{ flags: '--topology <file>', key: 'topology', description: 'nodes, quotas and links (default: clusters/local/fog.yaml)' }],
  maintenance: [
    {
      flags: '--cleanup',
      key: 'cleanup',
      description: 'remove what a crashed fog run left behind (namespaces, links, cgroups, processes, its pods\' /tmp folders), then exit',
      run: fogCleanup,
    },
  ],
  create: (common, own) =>
    createFogTarget({
      runId: common.runId,
      ...(typeof own.topology === 'string' ? { topologyFile: own.topology } : {}),
      ...(common.ownerDir ? { ownerDir: common.ownerDir } : {}),
      ...(common.progress ? { progress: common.progress } : {}),
    }),
};

const loopbackTargetDefinition: TargetDefinition = {
  name: 'loopback',
  description: 'plain processes on 127.0.0.1 (no root)',
  options: [],
  create: () => createLoopbackTarget(),
};

export const TARGET_DEFINITIONS: Readonly<Record<string, TargetDefinition>> = {
  fog: fogTargetDefinition,
  loopback: loopbackTargetDefinition,
  kube: kubeTargetDefinition,
};

/** Fog-in-a-box: network namespaces as nodes, cgroups as their CPU and memory. */
export const DEFAULT_TARGET = 'fog';

/** Every target's options and maintenance flags, for a command to register; descriptions say whose they are. */
export function targetCliOptions(): (TargetOption & { target: string; maintenance: boolean })[] {
  return Object.values(TARGET_DEFINITIONS).flatMap((d) => [
    ...d.options.map((o) => ({ ...o, description: `${d.name}: ${o.description}`, target: d.name, maintenance: false })),
    ...(d.maintenance ?? []).map((m) => ({ flags: m.flags, key: m.key, description: `${d.name}: ${m.description}`, target: d.name, maintenance: true })),
  ]);
}

const given = (value: unknown) => value !== undefined && value !== false;

/** The maintenance command the parsed options ask for (e.g. fog's --cleanup), if any. */
export function requestedMaintenance(values: Readonly<Record<string, unknown>>): (TargetMaintenance & { target: string }) | undefined {
  for (const d of Object.values(TARGET_DEFINITIONS)) {
    const m = (d.maintenance ?? []).find((x) => given(values[x.key]));
    if (m) return { ...m, target: d.name };
  }
  return undefined;
}

/**
 * Creates the named target with its own options taken from the parsed command line; an
 * option of another target is a usage error naming the target it belongs to.
 */
export async function createTargetFromCli(name: string, common: CommonTargetOptions, values: Readonly<Record<string, unknown>>): Promise<Target> {
  const definition = TARGET_DEFINITIONS[name];
  if (!definition) throw usageError(`unknown target "${name}" (available: ${Object.keys(TARGET_DEFINITIONS).join(', ')})`);
  for (const other of Object.values(TARGET_DEFINITIONS)) {
    if (other === definition) continue;
    const stray = other.options.find((o) => given(values[o.key]) && !definition.options.some((mine) => mine.key === o.key));
    if (stray) throw usageError(`${stray.flags.split(' ')[0]} only applies to --target ${other.name}`);
  }
  const own = Object.fromEntries(definition.options.filter((o) => given(values[o.key])).map((o) => [o.key, values[o.key]]));
  return definition.create(common, own);
}
