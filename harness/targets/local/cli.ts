/**
 * What the fog target adds to the command line: its --topology option and its --cleanup
 * maintenance command, declared here so that the bench and serve commands register them without
 * knowing them (harness/targets/registry.ts).
 */
import type { CommonTargetOptions, TargetDefinition } from '../target-definition.ts';
import { cleanupLeftovers } from './cleanup.ts';
import { createFogTarget } from './fog-target.ts';

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

export const fogTargetDefinition: TargetDefinition = {
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
