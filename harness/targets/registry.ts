/**
 * The targets a bench can run on. Each target declares what it adds to the command line (its
 * own options and maintenance commands, e.g. fog's `--cleanup`) in a TargetDefinition; the
 * bench and serve commands register every target's options from here and hand each target
 * only its own. Adding a target touches its own folder (its cli.ts) and the TARGET_DEFINITIONS
 * list below.
 */
import { usageError } from '../errors.ts';
import { kubeTargetDefinition } from './kube/cli.ts';
import { fogTargetDefinition } from './local/cli.ts';
import { loopbackTargetDefinition } from './loopback/cli.ts';
import type { CommonTargetOptions, TargetDefinition, TargetMaintenance, TargetOption } from './target-definition.ts';
import type { Target } from './target.ts';

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
