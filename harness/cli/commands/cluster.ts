/**
 * `fogbench cluster up|down|status|openfaas|render`: make a K3s cluster of t2.small-sized VMs
 * with multipass or Vagrant, or (`--provider local`) the fog topology as real Kubernetes nodes on
 * this host; show it, install OpenFaaS on it (the official chart, or fogbench's layout of it on a
 * local cluster), destroy it, or write the files `up` would use without creating anything.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadClusterConfig } from '../../../clusters/config.ts';
import { MultipassProvider } from '../../../clusters/multipass.ts';
import { PROVIDERS, type ProviderName } from '../../../clusters/plan.ts';
import { RENDER_PROVIDERS, renderCluster, type RenderProvider } from '../../../clusters/render.ts';
import type { ClusterTools } from '../../../clusters/provision.ts';

/** Imported on use: provisioning pulls in the Kubernetes client, which is slow to load. */
const provisioning = () => import('../../../clusters/provision.ts');
import { commandRunner, INSTALL_HINTS } from '../../../clusters/run-command.ts';
import { clusterDir, defaultStateRoot, readState, stateFiles } from '../../../clusters/state.ts';
import { renderClusterStatus } from '../../../clusters/status-text.ts';
import { VAGRANT_PROVIDERS, VagrantProvider, type VagrantVmProvider } from '../../../clusters/vagrant.ts';
import { readInputFile } from '../../safe-fs.ts';
import { parsePositiveInt } from '../parse.ts';
import { ownerDirFromEnv } from '../environment.ts';
import { abortOnSignals } from '../signals.ts';

/** Every provider of `cluster up`: VMs (multipass, vagrant) or this host's namespaces (local). */
const UP_PROVIDERS = [...PROVIDERS, 'local'] as const;
/** The local provider's daemons need the sbin folders, whatever PATH the user has. */
const searchPathWithSbin = (path = process.env.PATH ?? '') => [...new Set([...path.split(':').filter(Boolean), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'])].join(':');

function parseAgents(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('use a whole number (0 for a lone server)');
  return Number(value);
}

interface Common {
  name: string;
  stateDir: string;
}

function tools(vagrantProvider: VagrantVmProvider = 'virtualbox'): ClusterTools {
  const run = commandRunner(INSTALL_HINTS);
  return {
    run,
    provider: (name: ProviderName) => (name === 'vagrant' ? new VagrantProvider(run, vagrantProvider) : new MultipassProvider(run)),
    progress: (message) => process.stderr.write(`• ${message}\n`),
  };
}

const common = (command: Command) =>
  command
    .option('--name <name>', 'cluster name (VM names start with it)', 'fogbench')
    .addOption(new Option('--state-dir <dir>', 'where cluster state, key and kubeconfig are kept').default(defaultStateRoot(), '~/.fogbench/clusters'));

export function registerCluster(program: Command): void {
  const cluster = program.command('cluster').description('create, inspect and destroy a K3s cluster of small VMs (multipass or Vagrant)');

  common(cluster.command('up'))
    .description('create a K3s server and N agents sized like AWS t2.small, labelled core/worker; or (--provider local) the fog topology as real Kubernetes nodes on this host')
    .addOption(new Option('--provider <name>', 'how to make the nodes: VMs (multipass, vagrant) or namespaces and cgroups on this host (local)').choices([...UP_PROVIDERS]).makeOptionMandatory())
    .addOption(new Option('--agents <n>', 'number of agent (worker) VMs; 0 for a lone server (VM providers)').argParser(parseAgents).default(3))
    .addOption(new Option('--vagrant-provider <name>', 'Vagrant provider').choices([...VAGRANT_PROVIDERS]).default('virtualbox'))
    .option('--config <file>', 'node sizes and versions (default clusters/sizes.yaml; VM providers)')
    .option('--topology <file>', 'local: the fog topology whose nodes become Kubernetes nodes (default clusters/local/fog.yaml)')
    .addOption(new Option('--ready-timeout <seconds>', 'how long to wait for every node to be Ready').argParser(parsePositiveInt).default(600))
    .action(async (options: Common & { provider: (typeof UP_PROVIDERS)[number]; agents: number; vagrantProvider: VagrantVmProvider; config?: string; topology?: string; readyTimeout: number }) => {
      const kubeconfig = stateFiles(clusterDir(options.stateDir, options.name)).kubeconfig;
      if (options.provider === 'local') {
        const { localClusterUp } = await import('../../../clusters/local-cluster/local-up.ts');
        const signals = abortOnSignals();
        try {
          const ownerDir = ownerDirFromEnv();
          const state = await localClusterUp(
            {
              cluster: options.name,
              stateRoot: options.stateDir,
              ...(options.topology ? { topologyFile: options.topology } : {}),
              readyTimeoutMs: options.readyTimeout * 1000,
              ...(ownerDir ? { ownerDir } : {}),
              searchPath: searchPathWithSbin(),
              env: process.env,
              signal: signals.signal,
            },
            { run: commandRunner(INSTALL_HINTS), progress: (message) => process.stderr.write(`• ${message}\n`) },
          );
          process.stdout.write(`cluster ${state.cluster} is ready: ${state.nodes.length} nodes on this host, all Ready ${state.local?.readySeconds} s after the start\n`);
          process.stdout.write(`kubeconfig: ${kubeconfig}\n`);
          process.stdout.write(`next: npm run cluster -- openfaas --name ${state.cluster}; npm run bench -- --target kube --kubeconfig ${kubeconfig}\n`);
        } finally {
          signals.dispose();
        }
        return;
      }
      const config = await loadClusterConfig(options.config);
      const { clusterUp } = await provisioning();
      const state = await clusterUp(
        { cluster: options.name, provider: options.provider, agents: options.agents, stateRoot: options.stateDir, config, readyTimeoutMs: options.readyTimeout * 1000 },
        tools(options.vagrantProvider),
      );
      process.stdout.write(`cluster ${state.cluster} is ready: ${state.nodes.length} nodes\n`);
      process.stdout.write(`kubeconfig: ${kubeconfig}\n`);
      process.stdout.write(`next: npm run cluster -- openfaas --name ${state.cluster}; npm run bench -- --target kube --kubeconfig ${kubeconfig}\n`);
    });

  // The local provider's daemon: started by `cluster up --provider local`, never by hand.
  cluster
    .command('local-daemon', { hidden: true })
    .argument('<input>', 'the daemon input `cluster up` wrote')
    .action(async (input: string) => {
      const { runClusterDaemon } = await import('../../../clusters/local-cluster/daemon.ts');
      process.exitCode = await runClusterDaemon(input);
    });

  cluster
    .command('render')
    .description('write the Vagrantfile / cloud-config / K3s files and scripts `up` would use into a folder, creating nothing')
    .option('--name <name>', 'cluster name (VM names start with it)', 'fogbench')
    .addOption(new Option('--provider <name>', 'multipass, vagrant, or host (a lone K3s server on this machine, as the nightly job runs it)').choices([...RENDER_PROVIDERS]).makeOptionMandatory())
    .addOption(new Option('--agents <n>', 'number of agent (worker) VMs; 0 for a lone server').argParser(parseAgents).default(3))
    .requiredOption('--out <dir>', 'folder to write into (created)')
    .option('--server-ip <address>', 'the server\'s private address (required for host; multipass: instead of a placeholder)')
    .option('--public-key <file>', 'SSH public key to authorise (default: a placeholder; `up` makes one per cluster)')
    .option('--config <file>', 'node sizes and versions (default clusters/sizes.yaml)')
    .action(async (options: { name: string; provider: RenderProvider; agents: number; out: string; serverIp?: string; publicKey?: string; config?: string }) => {
      const config = await loadClusterConfig(options.config);
      const publicKey = options.publicKey ? (await readInputFile(options.publicKey, 'SSH public key', 64 * 1024)).trim() : undefined;
      const agents = options.provider === 'host' ? 0 : options.agents;
      const result = await renderCluster({
        provider: options.provider,
        cluster: options.name,
        agents,
        config,
        out: options.out,
        ...(options.serverIp ? { serverIp: options.serverIp } : {}),
        ...(publicKey ? { publicKey } : {}),
      });
      process.stdout.write(`rendered ${result.files.length} files for ${result.plan.nodes.length} node${result.plan.nodes.length === 1 ? '' : 's'} into ${options.out} (nothing was created):\n`);
      for (const file of result.files) process.stdout.write(`  ${file}\n`);
      for (const p of result.placeholders) process.stdout.write(`placeholder: ${p}\n`);
    });

  common(cluster.command('down'))
    .description('destroy every VM `cluster up` made (or stop a local cluster and remove all it made) and remove the state folder')
    .option('--forget', 'only remove the state folder (when the provider itself is gone); VMs are left as they are')
    .action(async (options: Common & { forget?: boolean }) => {
      const state = await readState(clusterDir(options.stateDir, options.name));
      if (state.provider === 'local' && !options.forget) {
        const { localClusterDown } = await import('../../../clusters/local-cluster/local-down.ts');
        await localClusterDown(state, options.stateDir, (message) => process.stderr.write(`• ${message}\n`));
        process.stdout.write(`cluster ${state.cluster} removed (${state.nodes.length} local nodes, its processes, namespaces, cgroups and files)\n`);
        return;
      }
      const { clusterDown } = await provisioning();
      const down = await clusterDown({ cluster: options.name, stateRoot: options.stateDir, forget: Boolean(options.forget) }, tools());
      process.stdout.write(options.forget ? `cluster ${down.cluster} forgotten; its VMs, if any, are untouched\n` : `cluster ${down.cluster} destroyed (${down.nodes.length} ${down.provider} VMs)\n`);
    });

  common(cluster.command('status'))
    .description('print the VMs (or local nodes), nodes and versions of a cluster')
    .option('--json', 'print JSON instead of a table')
    .action(async (options: Common & { json?: boolean }) => {
      const state = await readState(clusterDir(options.stateDir, options.name));
      if (state.provider === 'local') {
        const { localClusterStatus, renderLocalStatus } = await import('../../../clusters/local-cluster/local-down.ts');
        const status = await localClusterStatus({ cluster: options.name, stateRoot: options.stateDir });
        process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderLocalStatus(status));
        return;
      }
      const { clusterStatus } = await provisioning();
      const status = await clusterStatus({ cluster: options.name, stateRoot: options.stateDir }, tools());
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : renderClusterStatus(status));
    });

  common(cluster.command('openfaas'))
    .description('install the official OpenFaaS chart (pinned version) on the cluster, or on any cluster with --kubeconfig')
    .option('--kubeconfig <file>', 'a cluster not made by `cluster up`')
    .option('--context <name>', 'kubeconfig context')
    .option('--config <file>', 'chart version (default clusters/sizes.yaml)')
    .action(async (options: Common & { kubeconfig?: string; context?: string; config?: string }) => {
      const config = await loadClusterConfig(options.config);
      let kubeconfig = options.kubeconfig;
      if (!kubeconfig) {
        const dir = clusterDir(options.stateDir, options.name);
        const state = await readState(dir);
        kubeconfig = stateFiles(dir).kubeconfig;
        if (state.provider === 'local') {
          // The chart cannot run here (its images are out of reach, faas-netes cannot be had): fogbench lays it out.
          const { installLocalOpenFaaS } = await import('../../../clusters/local-cluster/openfaas-install.ts');
          const { loadKubeconfig } = await import('../../targets/kube/connection.ts');
          const provenance = await installLocalOpenFaaS(loadKubeconfig({ kubeconfig }), state, dir, {
            searchPath: searchPathWithSbin(),
            timeoutMs: 600_000,
            progress: (message) => process.stderr.write(`• ${message}\n`),
          });
          process.stdout.write(`OpenFaaS is laid out as chart ${config.openfaas.chartVersion} lays it out, with these programs:\n`);
          for (const [name, what] of Object.entries(provenance)) process.stdout.write(`  ${name}: ${what}\n`);
          process.stdout.write('the gateway password stays in the basic-auth secret of namespace openfaas\n');
          return;
        }
      }
      // Loaded here, not at start-up: the Kubernetes client takes most of a second to import.
      const { checkOpenFaaSInstalled, installOpenFaaS } = await import('../../openfaas/helm.ts');
      const { loadKubeconfig, probeApiServer } = await import('../../targets/kube/connection.ts');
      const { listClusterNodes } = await import('../../targets/kube/nodes.ts');
      const kc = loadKubeconfig({ kubeconfig, ...(options.context ? { context: options.context } : {}) });
      await probeApiServer(kc);
      const hasCore = (await listClusterNodes(kc)).some((n) => n.role === 'core');
      process.stderr.write(`• helm upgrade --install openfaas (chart ${config.openfaas.chartVersion})\n`);
      await installOpenFaaS(kc, commandRunner(INSTALL_HINTS), {
        chartVersion: config.openfaas.chartVersion,
        kubeconfig,
        ...(options.context ? { context: options.context } : {}),
        coreRole: hasCore ? 'core' : null,
      });
      await checkOpenFaaSInstalled(kc);
      process.stdout.write('OpenFaaS is installed; the gateway password stays in the basic-auth secret of namespace openfaas\n');
    });
}
