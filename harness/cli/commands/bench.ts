/** `fogbench bench`: run the comparison and print the summary. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { runBench } from '../../bench/run-bench.ts';
import type { BenchOptions } from '../../bench/options.ts';
import { newRunId } from '../../bench/provenance.ts';
import { ExitCode, usageError } from '../../errors.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET } from '../../load/replay.ts';
import { checkSystems, SYSTEMS } from '../../systems/registry.ts';
import { createTarget, DEFAULT_TARGET, TARGETS } from '../../targets/registry.ts';
import { collectKeyValue, formatDuration, parseDuration, parseDurationOrZero, parsePositiveNumber, parseList, parseOnOff, parsePositiveInt, parseWorkers } from '../parse.ts';
import { createProgressReporter } from '../progress.ts';
import { abortOnSignals } from '../signals.ts';
import { renderSummaryTable } from '../summary-table.ts';
import { cleanupLeftovers, type CleanupReport } from '../../targets/local/cleanup.ts';
import { checkBaselineReadable, loadThresholds, runGate } from '../../gate/run-gate.ts';
import { renderVerdicts } from '../../gate/evaluate.ts';
import { writeIndex, writeRunReport } from '../../report/writer.ts';

function printCleanup(report: CleanupReport): void {
  const removed = report.namespaces.length + report.interfaces.length + report.cgroups.length;
  process.stdout.write(
    removed === 0
      ? 'nothing to clean up\n'
      : `removed ${report.namespaces.length} namespaces, ${report.interfaces.length} interfaces, ${report.cgroups.length} cgroups\n` +
          [...report.namespaces, ...report.interfaces, ...report.cgroups].map((n) => `  ${n}\n`).join(''),
  );
  if (report.live.length) process.stdout.write(`left alone (their run is still going): ${report.live.join(', ')}\n`);
}

/** An option with a parser and a default shown in human form in --help. */
function opt<T>(flags: string, description: string, parse: (value: string, previous: T) => T, value: T | undefined, shown: string): Option {
  return new Option(flags, description).argParser(parse).default(value, shown);
}

/** The paper's protocol: every profile for ten minutes, no keep-alive (hey's setting there). */
const PRESETS: Record<string, Partial<Pick<BenchOptions, 'workers' | 'durationMs' | 'keepAlive'>>> = {
  paper: { workers: [1, 5, 10, 50], durationMs: 600_000, keepAlive: false },
  quick: { workers: [1, 5, 10, 50], durationMs: 10_000, keepAlive: false },
};

interface RawBenchOptions {
  scenario: string;
  systems: string[];
  workers: number[];
  duration: number;
  keepAlive: boolean;
  driver: BenchOptions['driver'];
  timeout: number;
  hopTimeout: number;
  chainBudget: number;
  dataset: string;
  batch: number;
  target: string;
  runsDir: string;
  runId?: string;
  config: Record<string, string>;
  readyTimeout: number;
  cooldown: number;
  preset?: string;
  baseline?: string;
  thresholds?: string;
  report: boolean;
  replicas: number;
  topology?: string;
  kubeconfig?: string;
  context?: string;
  registry?: string;
  keep?: boolean;
  cleanup?: boolean;
  warmup: number;
  repeat: number;
  rate?: number;
  arrivals: 'constant' | 'poisson';
  seed: number;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('deploy the systems, replay the dataset at each worker count, and write the results')
    .option('--scenario <file>', 'scenario module', 'scenarios/temperature.ts')
    .addOption(opt('--systems <list>', `systems to compare (${Object.keys(SYSTEMS).join(', ')}; openfaas: not available yet)`, parseList, ['p2p'], 'p2p'))
    .addOption(opt('--workers <list>', 'closed-loop worker counts, one profile each', parseWorkers, [1, 5, 10, 50], '1,5,10,50'))
    .addOption(opt('--duration <time>', 'length of each profile (e.g. 30s, 10m)', parseDuration, 30_000, '30s'))
    .addOption(opt('--keep-alive <on|off>', 'HTTP keep-alive between client and system', parseOnOff, false, 'off'))
    .addOption(
      new Option('--driver <name>', 'load driver; auto = autocannon with keep-alive, fogbench-http without')
        .choices(['auto', 'fogbench-http', 'autocannon'])
        .default('auto'),
    )
    .addOption(opt('--repeat <n>', 'runs of every profile, interleaved across systems; adds 95 % confidence intervals', parsePositiveInt, 1, '1'))
    .addOption(opt('--warmup <time>', 'load before each profile, not counted', parseDurationOrZero, 0, '0s'))
    .addOption(opt('--rate <req/s>', 'open loop: send on a schedule at this rate (workers then cap the connections)', parsePositiveNumber, undefined, 'closed loop'))
    .addOption(new Option('--arrivals <kind>', 'open loop: spacing of the sends').choices(['constant', 'poisson']).default('constant'))
    .addOption(opt('--seed <n>', 'open loop: seed of the Poisson schedule', parsePositiveInt, 1, '1'))
    .addOption(opt('--timeout <time>', 'client timeout per request', parseDuration, 20_000, '20s'))
    .addOption(opt('--hop-timeout <time>', 'p2p: longest wait of a service for the next one', parseDuration, 10_000, '10s'))
    .addOption(opt('--chain-budget <time>', 'p2p: time budget of a whole chain, shared down the hops', parseDuration, 19_000, '19s'))
    .addOption(
      new Option('--dataset <file>', 'readings to replay (Urban Observatory CSV or fogbench NDJSON/CSV)').default(
        DEFAULT_DATASET,
        path.relative(process.cwd(), DEFAULT_DATASET),
      ),
    )
    .addOption(opt('--batch <n>', 'readings per request (see docs/dataset.md)', parsePositiveInt, DEFAULT_BATCH_SIZE, String(DEFAULT_BATCH_SIZE)))
    .option('--topology <file>', 'fog: nodes, quotas and links (default: clusters/local/fog.yaml)')
    .option('--kubeconfig <file>', 'kube: kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kube: kubeconfig context')
    .option('--registry <host>', 'kube: push images here instead of importing them into every node')
    .option('--keep', 'kube: leave everything deployed after the run')
    .option('--target <name>', `where the systems run (${Object.keys(TARGETS).join(', ')})`, DEFAULT_TARGET)
    .option('--runs-dir <dir>', 'folder for run results', 'reports/runs')
    .option('--run-id <id>', 'name of this run (default: UTC timestamp and a random suffix)')
    .addOption(opt('--config <key=value>', 'scenario function setting, repeatable (e.g. window=10)', collectKeyValue, {}, 'the scenario\'s'))
    .addOption(opt('--ready-timeout <time>', 'longest wait for the deployment to become healthy', parseDuration, 30_000, '30s'))
    .addOption(opt('--cooldown <time>', 'pause between profiles', parseDurationOrZero, 2_000, '2s'))
    .addOption(opt('--replicas <n>', 'openfaas: replicas per function (autoscaling off)', parsePositiveInt, 1, '1'))
    .option('--cleanup', 'remove what a crashed fog run left behind (namespaces, links, cgroups, processes), then exit')
    .option('--baseline <run-dir>', 'run folder to compare with (regression gate)')
    .option('--thresholds <file>', 'regression checks, one per line (see docs/regression-gate.md)')
    .option('--no-report', 'do not write the HTML report')
    .addOption(new Option('--preset <name>', 'protocol preset: paper = 1,5,10,50 workers × 10m, keep-alive off; quick = × 10s').choices(Object.keys(PRESETS)))
    .action(async (raw: RawBenchOptions, command: Command) => {
      if (raw.cleanup) return printCleanup(await cleanupLeftovers());
      const fromUser = (key: string) => command.getOptionValueSource(key) === 'cli';
      const preset = raw.preset ? PRESETS[raw.preset]! : {};
      checkSystems(raw.systems, raw.target);
      const runId = raw.runId ?? newRunId();
      if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw usageError(`--run-id may hold only letters, digits, dots, dashes and underscores`);
      const options: BenchOptions = {
        scenarioFile: raw.scenario,
        systems: raw.systems,
        workers: fromUser('workers') ? raw.workers : (preset.workers ?? raw.workers),
        durationMs: fromUser('duration') ? raw.duration : (preset.durationMs ?? raw.duration),
        keepAlive: fromUser('keepAlive') ? raw.keepAlive : (preset.keepAlive ?? raw.keepAlive),
        driver: raw.driver,
        timeoutMs: raw.timeout,
        hopTimeoutMs: raw.hopTimeout,
        chainBudgetMs: raw.chainBudget,
        dataset: raw.dataset,
        batchSize: raw.batch,
        runsDir: raw.runsDir,
        buildDir: 'build',
        runId,
        target: raw.target,
        config: raw.config,
        readyTimeoutMs: raw.readyTimeout,
        cooldownMs: raw.cooldown,
        preset: raw.preset ?? null,
        replicas: raw.replicas,
        warmupMs: raw.warmup,
        repeat: raw.repeat,
        rate: raw.rate ?? null,
        arrivals: raw.arrivals,
        seed: raw.seed,
      };
      // Thresholds are read before anything runs: a typo must not cost a ten-minute profile.
      const checks = raw.thresholds ? await loadThresholds(raw.thresholds) : undefined;
      if (checks) await checkBaselineReadable(checks, raw.baseline);
      else if (raw.baseline) throw usageError('--baseline needs --thresholds <file> saying what to compare');
      const target = await createTarget(options.target, { runId, topology: raw.topology, kubeconfig: raw.kubeconfig, context: raw.context, registry: raw.registry, keep: raw.keep, progress: (m) => process.stderr.write(`  ${m}\n`) });
      const signals = abortOnSignals();
      const profiles = options.systems.length * options.workers.length;
      process.stderr.write(
        `fogbench run ${runId}: ${options.systems.join(', ')} × workers ${options.workers.join(',')} × ${formatDuration(options.durationMs)}` +
          ` (${profiles} profiles, keep-alive ${options.keepAlive ? 'on' : 'off'}, target ${options.target})\n`,
      );
      try {
        const outcome = await runBench(options, { target, systems: SYSTEMS, onEvent: createProgressReporter(), signal: signals.signal });
        if (outcome.profiles.length) process.stdout.write(`\n${renderSummaryTable(outcome.profiles)}\n`);
        process.stdout.write(`\nresults: ${path.resolve(outcome.runDir)}\n`);
        if (raw.report && outcome.profiles.length) {
          const { htmlPath } = await writeRunReport(outcome.runDir);
          await writeIndex(options.runsDir, path.join(options.runsDir, '..', 'index.html'));
          process.stdout.write(`report:  ${path.resolve(htmlPath)}\n`);
        }
        if (outcome.interrupted) {
          process.exitCode = ExitCode.interrupted;
          return;
        }
        if (checks) {
          const verdicts = await runGate(outcome.runDir, raw.baseline, checks);
          process.stdout.write(`\nregression gate (baseline ${raw.baseline ?? 'none'}):\n${renderVerdicts(verdicts)}\n`);
          if (verdicts.some((v) => !v.passed)) process.exitCode = ExitCode.regression;
        }
      } catch (error) {
        if (signals.signal.aborted) {
          process.stderr.write(`fogbench: interrupted; cleaned up\n`);
          process.exitCode = ExitCode.interrupted;
          return;
        }
        throw error;
      } finally {
        signals.dispose();
      }
    });
}
