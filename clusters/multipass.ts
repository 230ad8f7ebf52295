/**
 * multipass VMs: one `multipass launch` per node with its cloud-init user-data, addresses read
 * back from `multipass info --format json` (DHCP assigns them).
 *
 * The user-data goes in on stdin (`--cloud-init -`), never as a file path: the multipass snap
 * is strictly confined and cannot read files in hidden folders of $HOME such as
 * ~/.fogbench (canonical/multipass#3693, where the maintainers advise `--cloud-init -`;
 * launch.cpp reads "-" from standard input). A copy is still kept in the state folder for
 * reading after the fact.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentError } from '../harness/errors.ts';
import { renderCloudInit, SSH_USER } from './cloud-init.ts';
import type { ClusterPlan, PlannedNode } from './plan.ts';
import type { ProviderContext, VmProvider, VmStatus } from './provider.ts';
import { firstLine, type CommandRunner } from './run-command.ts';
import type { ClusterState } from './state.ts';

const LAUNCH_TIMEOUT_S = 900;

/** Arguments of `multipass launch`; the user-data is read from stdin ("-"). */
export function launchArgs(node: PlannedNode, image: string): string[] {
  return [
    'launch', image,
    '--name', node.name,
    '--cpus', String(node.size.cpus),
    '--memory', `${node.size.memoryMiB}M`,
    '--disk', `${node.size.diskGiB}G`,
    '--cloud-init', '-',
    '--timeout', String(LAUNCH_TIMEOUT_S),
  ];
}

/** First IPv4 of each instance in `multipass info --format json` or `multipass list --format json`. */
export function parseMultipassInstances(json: string): VmStatus[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw environmentError('multipass printed something that is not JSON; check `multipass version` (1.8 or later needed)');
  }
  const d = doc as { info?: Record<string, { state?: string; ipv4?: string[] }>; list?: { name: string; state?: string; ipv4?: string[] }[] };
  if (d.info) return Object.entries(d.info).map(([name, i]) => ({ name, state: (i.state ?? 'unknown').toLowerCase(), ip: i.ipv4?.[0] ?? null }));
  if (d.list) return d.list.map((i) => ({ name: i.name, state: (i.state ?? 'unknown').toLowerCase(), ip: i.ipv4?.[0] ?? null }));
  throw environmentError('multipass JSON has neither "info" nor "list"; check `multipass version`');
}

export class MultipassProvider implements VmProvider {
  readonly name = 'multipass';
  readonly sshUser = SSH_USER;
  constructor(private readonly run: CommandRunner) {}

  async checkInstalled(): Promise<string> {
    const result = await this.run('multipass', ['version', '--format', 'json']);
    if (result.exitCode !== 0) throw environmentError(`multipass does not answer: ${firstLine(result)}; is the multipassd service running?`);
    try {
      return String((JSON.parse(result.stdout) as { multipass?: string }).multipass ?? 'unknown');
    } catch {
      return result.stdout.trim().split('\n')[0] ?? 'unknown';
    }
  }

  async create(plan: ClusterPlan, context: ProviderContext): Promise<Map<string, string>> {
    // Launched one by one: parallel launches of 2 GiB VMs overload a laptop's disk and time out.
    for (const node of plan.nodes) {
      const userData = renderCloudInit(node, context.publicKey);
      await writeFile(join(context.dir, `cloud-init-${node.name}.yaml`), userData, { mode: 0o600 });
      context.progress(`launching ${node.name} (${node.size.cpus} vCPU, ${node.size.memoryMiB} MiB)`);
      const result = await this.run('multipass', launchArgs(node, context.config.image.multipass), { timeoutMs: (LAUNCH_TIMEOUT_S + 60) * 1000, input: userData });
      if (result.exitCode !== 0) {
        throw environmentError(`multipass launch ${node.name} failed: ${firstLine(result)} (see \`multipass info ${node.name}\`; \`npm run cluster -- down\` removes what was made)`);
      }
    }
    const addresses = new Map<string, string>();
    for (const vm of await this.info(plan.nodes.map((n) => n.name))) {
      if (!vm.ip) throw environmentError(`multipass gave ${vm.name} no IPv4 address; check its network with \`multipass info ${vm.name}\``);
      addresses.set(vm.name, vm.ip);
    }
    return addresses;
  }

  async status(state: ClusterState): Promise<VmStatus[]> {
    const names = new Set(state.nodes.map((n) => n.name));
    const result = await this.run('multipass', ['list', '--format', 'json']);
    if (result.exitCode !== 0) throw environmentError(`multipass list failed: ${firstLine(result)}`);
    const known = parseMultipassInstances(result.stdout).filter((vm) => names.has(vm.name));
    return state.nodes.map((n) => known.find((vm) => vm.name === n.name) ?? { name: n.name, state: 'absent', ip: null });
  }

  async destroy(state: ClusterState): Promise<void> {
    const present = (await this.status(state)).filter((vm) => vm.state !== 'absent').map((vm) => vm.name);
    if (present.length === 0) return;
    const result = await this.run('multipass', ['delete', '--purge', ...present], { timeoutMs: 600_000 });
    if (result.exitCode !== 0) throw environmentError(`multipass delete failed: ${firstLine(result)}; remove them with \`multipass delete --purge ${present.join(' ')}\``);
  }

  stateData(): Record<string, string> {
    return {};
  }

  private async info(names: string[]): Promise<VmStatus[]> {
    const result = await this.run('multipass', ['info', ...names, '--format', 'json']);
    if (result.exitCode !== 0) throw environmentError(`multipass info failed: ${firstLine(result)}`);
    return parseMultipassInstances(result.stdout);
  }
}
