/** `fogbench bench`: run the comparison and print the summary. */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runBench } from '../../bench/run-bench.ts';
import { BUILD_ROOT, cleanupBuildFolders } from '../../build-folders.ts';
import type { SweepAxis } from '../../bench/sweep-spec.ts';
import { collectSweepAxis, runSweepCommand, withSweepDefaults } from './bench-sweep.ts';
import type { BenchOptions } from '../../bench/options.ts';
import { newRunId } from '../../bench/provenance.ts';
import { environmentError, ExitCode, FogbenchError, usageError } from '../../errors.ts';
import { checkPathName } from '../../safe-name.ts';
import { calibrationFileFromEnv, ownerDirFromEnv } from '../environment.ts';
import { DEFAULT_BATCH_SIZE, DEFAULT_DATASET } from '../../load/replay.ts';
import { uncappedInFlight } from '../../load/open-loop-driver.ts';
import { checkSystems, DEFAULT_SYSTEMS, SYSTEMS } from '../../systems/registry.ts';
import { addTargetOptions } from '../target-options.ts';
import { addSystemOptions, type RawSystemOptions } from '../system-options.ts';
import { createTargetFromCli, DEFAULT_TARGET, requestedMaintenance, TARGET_DEFINITIONS } from '../../targets/registry.ts';
import { collectKeyValue, formatDuration, parseDuration, parseDurationOrZero, parseRate, parseWindow, parseList, parseOnOff, parsePositiveInt, parseWorkers, positiveIntUpTo } from '../parse.ts';
import { createProgressReporter } from '../progress.ts';
import { abortOnSignals } from '../signals.ts';
import { renderSummaryTable } from '../summary-table.ts';
import { checkBaselineReadable, loadThresholds, runGate } from '../../gate/run-gate.ts';
import { renderVerdicts } from '../../gate/evaluate.ts';
import { plannedFromOptions } from '../../gate/comparable.ts';
import type { DriverName } from '../../load/agent-protocol.ts';
import { chooseDriver } from '../../load/drivers.ts';
import { checkHeyAvailable, heyForAgent } from '../../load/hey-driver.ts';
import { writeIndex, writeRunReport } from '../../report/writer.ts';
import { FaultSpecError, parseFault, type FaultSpec } from '../../faults/spec.ts';
import { PRESET_HELP, PRESET_NAMES, resolvePreset } from '../presets.ts';
import { faultSummaryLines } from '../../faults/comparison.ts';
import { RECOVERY_DEFINITION } from '../../faults/recovery.ts';
import { judgeClaims } from '../../replication/verdicts.ts';
import { writeVerdicts } from '../../replication/verdicts-file.ts';
import { renderVerdictTable } from '../verdict-table.ts';

/** Repetitions at most: each is every profile again; past this a run is a typo, not a plan. */
const MAX_REPEAT = 1_000;

/** An option with a parser and a default shown in human form in --help. */
function opt<T>(flags: string, description: string, parse: (value: string, previous: T) => T, value: T | undefined, shown: string): Option {
  return new Option(flags, description).argParser(parse).default(value, shown);
}

/** --fault, repeatable: each spec parsed at once, so a typo stops the run before anything starts. */
function collectFault(value: string, previous: FaultSpec[] = []): FaultSpec[] {
  try {
    return [...previous, parseFault(value)];
  } catch (error) {
    if (error instanceof FaultSpecError) throw new InvalidArgumentError(error.why);
    throw error;
  }
}

interface RawBenchOptions extends RawSystemOptions {
  scenario: string;
  systems: string[];
  workers: number[];
  duration: number;
  keepAlive: boolean;
  driver: DriverName | 'auto';
  timeout: number;
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
  gatewayTimeout?: number;
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
  fault: FaultSpec[];
  sweep: SweepAxis[];
  predict?: string;
}

export function registerBench(program: Command): void {
  const bench = program
    .command('bench')
    .description('deploy the systems, replay the dataset at each worker count, and write the results')
    .option('--scenario <file>', 'scenario module', 'scenarios/temperature.ts')
    .addOption(opt('--systems <list>', `systems to compare (${Object.keys(SYSTEMS).join(', ')})`, parseList, DEFAULT_SYSTEMS, DEFAULT_SYSTEMS.join(',')))
    .addOption(opt('--workers <list>', 'closed-loop worker counts, one profile each', parseWorkers, [1, 5, 10, 50], '1,5,10,50'))
    .addOption(opt('--duration <time>', 'length of each profile (e.g. 30s, 10m)', parseWindow, 30_000, '30s'))
    .addOption(opt('--keep-alive <on|off>', 'HTTP keep-alive between client and system', parseOnOff, false, 'off'))
    .addOption(
      new Option('--driver <name>', 'load driver; auto = autocannon with keep-alive, fogbench-http without; hey = the paper\'s own tool (its per-request CSV read into the same figures)')
        .choices(['auto', 'fogbench-http', 'autocannon', 'hey'])
        .default('auto'),
    )
    .addOption(opt('--repeat <n>', 'runs of every profile, interleaved across systems; adds 95 % confidence intervals', positiveIntUpTo(MAX_REPEAT, 'repetitions'), 1, '1'))
    .addOption(opt('--warmup <time>', 'load before each profile, not counted; it ends by letting its requests finish', parseDurationOrZero, 5_000, '5s'))
    .addOption(opt('--rate <req/s>', 'open loop: send on a schedule at this rate; --workers then caps the requests in flight (sends over the cap wait in the client, counted and flagged; default: a cap the rate cannot reach)', parseRate, undefined, 'closed loop'))
    .addOption(new Option('--arrivals <kind>', 'open loop: spacing of the sends').choices(['constant', 'poisson']).default('constant'))
    .addOption(opt('--seed <n>', 'open loop: seed of the Poisson schedule', parsePositiveInt, 1, '1'))
    .addOption(opt('--timeout <time>', 'client timeout per request', parseDuration, 20_000, '20s'))
    .addOption(
      new Option('--dataset <file>', 'readings to replay (Urban Observatory CSV or fogbench NDJSON/CSV)').default(
        DEFAULT_DATASET,
        path.relative(process.cwd(), DEFAULT_DATASET),
      ),
    )
    .addOption(opt('--batch <n>', 'readings per request (see docs/dataset.md)', parsePositiveInt, DEFAULT_BATCH_SIZE, String(DEFAULT_BATCH_SIZE)))
    .option('--target <name>', `where the systems run (${Object.keys(TARGET_DEFINITIONS).join(', ')})`, DEFAULT_TARGET)
    .option('--runs-dir <dir>', 'folder for run results', 'reports/runs')
    .option('--run-id <id>', 'name of this run (default: UTC timestamp and a random suffix)')
    .addOption(opt('--config <key=value>', 'scenario function setting, repeatable (e.g. window=10)', collectKeyValue, {}, 'the scenario\'s'))
    .addOption(opt('--ready-timeout <time>', 'longest wait for the deployment to become healthy', parseDuration, 30_000, '30s'))
    .addOption(opt('--cooldown <time>', 'pause between profiles', parseDurationOrZero, 2_000, '2s'))
    .addOption(opt('--replicas <n>', 'openfaas: replicas per function (autoscaling off)', parsePositiveInt, 1, '1'))
    .addOption(opt('--gateway-timeout <time>', 'openfaas: gateway upstream_timeout (read/write 5 s more, as the chart)', parseDuration, undefined, '60s, the chart\'s'))
    .option('--baseline <run-dir>', 'run folder to compare with (regression gate)')
    .option('--thresholds <file>', 'regression checks, one per line (see docs/regression-gate.md)')
    .option('--no-report', 'do not write the HTML report')
    .addOption(
      opt(
        '--fault <spec>',
        'inject a fault in every profile, T after its window opens (repeatable): kill:SERVICE@T, partition:NODE@T+D, cpu:NODE=CORES@T+D, memory:SERVICE=SIZE@T[+D], drain:NODE@T+D (kube)',
        collectFault,
        [],
        'none',
      ),
    )
    .addOption(opt('--sweep <axis=values>', 'run a chain: scenario at every combination of these values, one run each (repeatable; axes length, payload, work; e.g. --sweep length=1,2,4,8 --sweep payload=1KB,64KB,1MB), fit the cost model; the same command with the same --run-id resumes it', collectSweepAxis, [], 'none'))
    .option('--predict <file>', 'with --sweep: run this scenario too, under the same options, and compare its measurement with the model\'s prediction')
    .addOption(new Option('--preset <name>', PRESET_HELP).choices(PRESET_NAMES))
    .action(async (raw: RawBenchOptions, command: Command) => {
      // A target's maintenance command (fog's --cleanup) runs instead of a benchmark.
      const maintenance = requestedMaintenance(raw as unknown as Record<string, unknown>);
      // Build folders of runs that were killed go too (their secrets with them), whatever the target.
      if (maintenance) return void process.stdout.write((await cleanupBuildFolders()) + (await maintenance.run({ ownerDir: ownerDirFromEnv() })));
      const fromUser = (key: string) => command.getOptionValueSource(key) === 'cli';
      checkSystems(raw.systems);
      const preset = await resolvePreset(raw.preset, {
        target: raw.target,
        fromUser,
        dataset: raw.dataset,
        topology: raw.topology,
        batch: raw.batch,
        progress: (m) => process.stderr.write(`  ${m}\n`),
        ...(calibrationFileFromEnv() ? { calibrationFile: calibrationFileFromEnv()! } : {}),
      });
      // The preset's cluster (fog --topology) when the user named none.
      if (preset.topology !== undefined) raw.topology = preset.topology;
      const runId = raw.runId ?? newRunId();
      checkPathName('--run-id', runId);
      // A Poisson seed or spacing given without a rate would be ignored without a word.
      if (raw.rate === undefined && (fromUser('arrivals') || fromUser('seed'))) throw usageError('--arrivals and --seed shape an open loop: give --rate too');
      const keepAlive = fromUser('keepAlive') ? raw.keepAlive : (preset.keepAlive ?? raw.keepAlive);
      // Chosen here once for the whole command: every profile (and every sweep point) runs it.
      const driver = chooseDriver(raw.driver, { keepAlive, ...(raw.rate !== undefined ? { rate: raw.rate } : {}) });
      const options: BenchOptions = {
        scenarioFile: raw.scenario,
        systems: raw.systems,
        // Open loop without --workers: one profile whose cap on requests in flight the rate cannot reach.
        workers: fromUser('workers') ? raw.workers : raw.rate !== undefined ? [uncappedInFlight(raw.rate, raw.timeout)] : (preset.workers ?? raw.workers),
        durationMs: fromUser('duration') ? raw.duration : (preset.durationMs ?? raw.duration),
        keepAlive,
        driver,
        // The agent runs where $FOGBENCH_HEY is not set (a pod): it gets the command itself.
        ...(driver === 'hey' ? { hey: heyForAgent() } : {}),
        timeoutMs: fromUser('timeout') ? raw.timeout : (preset.timeoutMs ?? raw.timeout),
        hopTimeoutMs: raw.hopTimeout,
        deadlineMs: raw.deadline,
        dataset: preset.dataset ?? raw.dataset,
        batchSize: preset.batchSize ?? raw.batch,
        dataPath: preset.dataPath ?? 'client',
        ...(preset.calibration !== undefined ? { calibration: preset.calibration } : {}),
        runsDir: raw.runsDir,
        buildDir: BUILD_ROOT,
        runId,
        target: raw.target,
        config: raw.config,
        readyTimeoutMs: raw.readyTimeout,
        cooldownMs: raw.cooldown,
        preset: raw.preset ?? null,
        replicas: raw.replicas,
        openfaasTimeouts: raw.gatewayTimeout !== undefined ? { gateway: raw.gatewayTimeout } : {},
        functionRuntime: raw.functionRuntime,
        warmupMs: fromUser('warmup') ? raw.warmup : (preset.warmupMs ?? raw.warmup),
        repeat: raw.repeat,
        rate: raw.rate ?? null,
        arrivals: raw.arrivals,
        seed: raw.seed,
        faults: fromUser('fault') ? raw.fault : (preset.faults ?? raw.fault),
      };
      // --sweep: many runs of a chain: scenario (bench-sweep.ts); short points unless told otherwise.
      if (raw.sweep.length || raw.predict) {
        if (!raw.sweep.length) throw usageError('--predict needs --sweep: it compares a scenario with the cost model a sweep fits');
        const given = (key: string) => fromUser(key) || raw.preset !== undefined;
        const targetFor = (id: string) => createTargetFromCli(options.target, { runId: id, ownerDir: ownerDirFromEnv(), progress: (m) => process.stderr.write(`  ${m}\n`) }, raw as unknown as Record<string, unknown>);
        return runSweepCommand({ options: withSweepDefaults(options, given), axes: raw.sweep, scenario: raw.scenario, scenarioGiven: fromUser('scenario'), predict: raw.predict, topology: raw.topology, report: raw.report, gate: Boolean(raw.thresholds || raw.baseline), createTarget: targetFor });
      }
      // Profiles are written into the run's folder as they end: a second run under the same id
      // would replace some of the first one's files and leave the others, one folder mixing two
      // runs. (A sweep's same id resumes it: that is handled above.)
      if (raw.runId !== undefined && existsSync(path.join(raw.runsDir, runId))) {
        throw usageError(`--run-id ${runId}: ${path.join(raw.runsDir, runId)} already holds a run; choose another id or remove that folder`);
      }
      // hey is a program of the host: missing, it would fail the first profile after the deployment
      // (a sweep checks it too, after its own usage checks).
      const noHey = options.driver === 'hey' ? checkHeyAvailable() : null;
      if (noHey) throw environmentError(noHey);
      // Thresholds are read before anything runs: a typo must not cost a ten-minute profile.
      const checks = raw.thresholds ? await loadThresholds(raw.thresholds) : undefined;
      // ... and a baseline measured some other way is refused before anything runs, with the reasons.
      if (checks) {
        await checkBaselineReadable(checks, raw.baseline, plannedFromOptions(options, { hostCpus: cpus().length }));
      }
      else if (raw.baseline) throw usageError('--baseline needs --thresholds <file> saying what to compare');
      const target = await createTargetFromCli(options.target, { runId, ownerDir: ownerDirFromEnv(), progress: (m) => process.stderr.write(`  ${m}\n`) }, raw as unknown as Record<string, unknown>);
      const signals = abortOnSignals();
      const profiles = options.systems.length * options.workers.length * options.repeat;
      process.stderr.write(
        `fogbench run ${runId}: ${options.systems.join(', ')} × workers ${options.workers.join(',')} × ${formatDuration(options.durationMs)}` +
          ` (${profiles} profile${profiles === 1 ? '' : 's'}, keep-alive ${options.keepAlive ? 'on' : 'off'}, warm-up ${options.warmupMs > 0 ? `${formatDuration(options.warmupMs)} before each` : 'none'}, target ${options.target},` +
          ` deadline ${formatDuration(options.deadlineMs)}${options.systems.some((s) => s.startsWith('openfaas')) ? `, ${options.functionRuntime} function runtime` : ''})\n`,
      );
      try {
        const outcome = await runBench(options, { target, systems: SYSTEMS, onEvent: createProgressReporter(), signal: signals.signal });
        if (outcome.profiles.length) process.stdout.write(`\n${renderSummaryTable(outcome.profiles)}\n`);
        const faultLines = faultSummaryLines(outcome.profiles);
        if (faultLines.length) process.stdout.write(`\nfaults (${RECOVERY_DEFINITION}):\n${faultLines.map((l) => `  ${l}\n`).join('')}`);
        if (outcome.profiles.length) {
          const verdicts = judgeClaims(outcome.profiles);
          process.stdout.write(`\n${renderVerdictTable(verdicts, path.resolve(await writeVerdicts(outcome.runDir, verdicts)))}\n`);
        }
        process.stdout.write(`\nresults: ${path.resolve(outcome.runDir)}\n`);
        if (raw.report && outcome.profiles.length) {
          const { htmlPath } = await writeRunReport(outcome.runDir);
          await writeIndex(options.runsDir, path.join(options.runsDir, '..', 'index.html'));
          process.stdout.write(`report:  ${path.resolve(htmlPath)}\n`);
        }
        // The run ended early: what it measured is above; its own error ends the command.
        if (outcome.failure) {
          const e = outcome.failure;
          const kept = ` (the ${outcome.profiles.length} profile${outcome.profiles.length === 1 ? '' : 's'} measured before it are above and in ${path.resolve(outcome.runDir)})`;
          throw e instanceof FogbenchError ? new FogbenchError(e.code, `${e.message}${kept}`, { cause: e }) : e;
        }
        if (outcome.interrupted) {
          process.exitCode = ExitCode.interrupted;
          return;
        }
        if (checks) {
          const { verdicts, notes } = await runGate(outcome.runDir, raw.baseline, checks);
          process.stdout.write(`\nregression gate (baseline ${raw.baseline ?? 'none'}):\n${renderVerdicts(verdicts, notes)}\n`);
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
  // The deadline, the per-step wait and the functions' runtime, as serve has them.
  addSystemOptions(bench);
  // Each target's own options (fog --topology, kube --kubeconfig, ...) and maintenance commands.
  addTargetOptions(bench);
}
