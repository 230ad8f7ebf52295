/**
 * `fogbench serve`: deploy a system and keep it running, printing its entry URL, so external
 * tools (hey, wrk, curl) can be aimed at it. Ctrl-C removes everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { compileScenario } from '../../dataflow/compile.ts';
import { deploySystem } from '../../bench/deploy-system.ts';
import { checkSystems, SYSTEMS } from '../../systems/registry.ts';
import { createTarget, DEFAULT_TARGET, TARGETS } from '../../targets/registry.ts';
import { newRunId } from '../../bench/provenance.ts';
import { collectKeyValue, parseDuration } from '../parse.ts';
import { abortOnSignals } from '../signals.ts';

interface ServeOptions {
  scenario: string;
  system: string;
  target: string;
  hopTimeout: number;
  chainBudget: number;
  config: Record<string, string>;
  readyTimeout: number;
  spans: boolean;
  topology?: string;
  kubeconfig?: string;
  context?: string;
  registry?: string;
  keep?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('deploy one system and keep it running until Ctrl-C, printing its entry URL')
    .option('--scenario <file>', 'scenario module', 'scenarios/temperature.ts')
    .option('--system <name>', 'system to deploy', 'p2p')
    .option('--topology <file>', 'fog: nodes, quotas and links (default: clusters/local/fog.yaml)')
    .option('--kubeconfig <file>', 'kube: kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kube: kubeconfig context')
    .option('--registry <host>', 'kube: push images here instead of importing them into every node')
    .option('--keep', 'kube: leave everything deployed after the run')
    .option('--target <name>', `where it runs (${Object.keys(TARGETS).join(', ')})`, DEFAULT_TARGET)
    .option('--hop-timeout <time>', 'p2p: longest wait of a service for the next one', parseDuration, 10_000)
    .option('--chain-budget <time>', 'p2p: time budget of a whole chain', parseDuration, 19_000)
    .option('--config <key=value>', 'scenario function setting, repeatable', collectKeyValue, {})
    .option('--ready-timeout <time>', 'longest wait for the deployment to become healthy', parseDuration, 30_000)
    .option('--spans', 'print every span (NDJSON) on stdout', false)
    .action(async (opts: ServeOptions) => {
      checkSystems([opts.system], opts.target);
      const system = SYSTEMS[opts.system]!;
      const runId = `serve-${newRunId()}`;
      const target = await createTarget(opts.target, { runId, topology: opts.topology, kubeconfig: opts.kubeconfig, context: opts.context, registry: opts.registry, keep: opts.keep, progress: (m) => process.stderr.write(`  ${m}\n`) });
      const signals = abortOnSignals();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-serve-'));
      try {
        const compiled = await compileScenario(opts.scenario, dir);
        const plan = await system.plan(compiled, {
          hopTimeoutMs: opts.hopTimeout,
          chainBudgetMs: opts.chainBudget,
          config: opts.config,
          replicas: 1,
          scenarioFile: opts.scenario,
          buildDir: dir,
        });
        await target.prepare();
        const { deployment, entry, placement } = await deploySystem(target, plan, {
          readyTimeoutMs: opts.readyTimeout,
          onLine: (_unit, line) => {
            if (opts.spans) process.stdout.write(`${line}\n`);
          },
          signal: signals.signal,
        });
        const url = `http://${entry.host}:${entry.port}${plan.path}`;
        process.stderr.write(
          [
            `${opts.system} is up on ${target.kind}: ${placement.join(' → ')}`,
            `entry URL: ${url}`,
            `try:  curl -s -X POST -H 'content-type: application/json' --data-binary @datasets/sample-batch.json ${url}`,
            `      hey -z 10s -c 5 -m POST -T application/json -D datasets/sample-batch.json ${url}`,
            'Ctrl-C stops it and removes everything it created.',
            '',
          ].join('\n'),
        );
        process.stdout.write(`${url}\n`);
        await new Promise<void>((resolve) => signals.signal.addEventListener('abort', () => resolve(), { once: true }));
        await deployment.stop();
      } finally {
        await target.dispose();
        await rm(dir, { recursive: true, force: true });
        signals.dispose();
      }
    });
}
