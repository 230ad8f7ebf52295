/**
 * Vagrant VMs from the generated Vagrantfile, driven with `--machine-readable` so progress and
 * errors are parsed, not scraped. Addresses are the static ones of the plan.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { environmentError, usageError } from '../harness/errors.ts';
import type { ClusterPlan } from './plan.ts';
import type { ProviderContext, VmProvider, VmStatus } from './provider.ts';
import { firstLine, type CommandRunner } from './run-command.ts';
import type { ClusterState } from './state.ts';
import { machineReadableError, machineStates, renderVagrantfile, VAGRANT_BOOTSTRAP_SCRIPT } from './vagrantfile.ts';

export const VAGRANT_PROVIDERS = ['virtualbox', 'libvirt'] as const;
export type VagrantVmProvider = (typeof VAGRANT_PROVIDERS)[number];

export const BOOTSTRAP_SOURCE = fileURLToPath(new URL(`./scripts/${VAGRANT_BOOTSTRAP_SCRIPT}`, import.meta.url));

export class VagrantProvider implements VmProvider {
  readonly name = 'vagrant';
  readonly sshUser = 'vagrant';
  private dir = '';

  constructor(private readonly run: CommandRunner, private readonly vmProvider: VagrantVmProvider = 'virtualbox') {
    if (!VAGRANT_PROVIDERS.includes(vmProvider)) throw usageError(`--vagrant-provider must be one of ${VAGRANT_PROVIDERS.join(', ')}`);
  }

  async checkInstalled(): Promise<string> {
    const result = await this.run('vagrant', ['--version']);
    if (result.exitCode !== 0) throw environmentError(`vagrant does not answer: ${firstLine(result)}`);
    return result.stdout.trim().replace(/^Vagrant\s+/, '');
  }

  async create(plan: ClusterPlan, context: ProviderContext): Promise<Map<string, string>> {
    this.dir = context.dir;
    await writeFile(join(context.dir, 'Vagrantfile'), renderVagrantfile(plan, context.config, context.publicKey));
    await copyFile(BOOTSTRAP_SOURCE, join(context.dir, VAGRANT_BOOTSTRAP_SCRIPT));
    context.progress(`vagrant up (${plan.nodes.length} VMs on ${this.vmProvider}); the first run downloads the box`);
    const result = await this.vagrant(context.dir, ['up', '--provider', this.vmProvider, '--machine-readable'], 3_600_000);
    if (result.exitCode !== 0) {
      throw environmentError(`vagrant up failed: ${machineReadableError(result.stdout) ?? firstLine(result)} (run \`vagrant status\` in ${context.dir})`);
    }
    return new Map(plan.nodes.map((n) => [n.name, n.ip as string]));
  }

  async status(state: ClusterState): Promise<VmStatus[]> {
    const dir = this.folder(state);
    const result = await this.vagrant(dir, ['status', '--machine-readable'], 120_000, state);
    if (result.exitCode !== 0) throw environmentError(`vagrant status failed: ${machineReadableError(result.stdout) ?? firstLine(result)}`);
    const states = machineStates(result.stdout);
    return state.nodes.map((n) => ({ name: n.name, state: states.get(n.name) ?? 'absent', ip: n.ip }));
  }

  async destroy(state: ClusterState): Promise<void> {
    const dir = this.folder(state);
    const made = (await this.status(state)).filter((vm) => vm.state !== 'not_created' && vm.state !== 'absent');
    if (made.length === 0) return;
    const result = await this.vagrant(dir, ['destroy', '--force', '--machine-readable'], 1_200_000, state);
    if (result.exitCode !== 0) throw environmentError(`vagrant destroy failed: ${machineReadableError(result.stdout) ?? firstLine(result)} (run it yourself in ${dir})`);
  }

  stateData(): Record<string, string> {
    return { vagrantDir: this.dir, vagrantProvider: this.vmProvider };
  }

  private folder(state: ClusterState): string {
    const dir = state.providerData.vagrantDir;
    if (!dir) throw usageError(`the state of cluster ${state.cluster} does not say where its Vagrantfile is`);
    return dir;
  }

  private vagrant(cwd: string, args: string[], timeoutMs: number, state?: ClusterState) {
    // VAGRANT_CWD pins the Vagrantfile: vagrant would otherwise search parent folders for one.
    // The default provider must be the one `up` used: with vagrant-libvirt installed, Vagrant
    // would otherwise try libvirt for a VirtualBox cluster.
    const provider = state?.providerData.vagrantProvider ?? this.vmProvider;
    return this.run('vagrant', args, { cwd, env: { VAGRANT_CWD: cwd, VAGRANT_NO_COLOR: '1', VAGRANT_CHECKPOINT_DISABLE: '1', VAGRANT_DEFAULT_PROVIDER: provider }, timeoutMs });
  }
}
