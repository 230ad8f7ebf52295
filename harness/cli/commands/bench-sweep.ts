/**
 * `fogbench bench --sweep axis=values …`: runs the sweep (harness/bench/sweep.ts), prints the
 * fitted cost terms, writes the sweep's report. Reached from the bench command once it has
 * resolved its options; owns the sweep's printing, signals and exit code.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { runBench } from '../../bench/run-bench.ts';
import type { BenchOptions } from '../../bench/options.ts';
import { runSweep, type SweepEvent } from '../../bench/sweep.ts';
import { parseSweepAxis, sweepPoints, type SweepAxis } from '../../bench/sweep-spec.ts';
import { CHAIN_DEFAULTS, isChainSpec, parseChainSpec } from '../../dataflow/synthetic-chain.ts';
import { ExitCode, environmentError, usageError } from '../../errors.ts';
import { checkHeyAvailable } from '../../load/hey-driver.ts';
import { writeIndex, writeRunReport } from '../../report/writer.ts';
import { readSweep } from '../../report/sweep-read.ts';
import { buildSweepReport } from '../../report/sweep-report.ts';
import { sweepProgress } from '../../report/sweep-summary.ts';
import { writeSweepReport } from '../../report/sweep-writer.ts';
import { SYSTEMS } from '../../systems/registry.ts';
import type { Target } from '../../targets/target.ts';
import { renderCostModel } from '../cost-model-table.ts';
import { formatDuration } from '../parse.ts';
import { createProgressReporter } from '../progress.ts';
import { abortOnSignals } from '../signals.ts';

export interface SweepCommand {
  options: BenchOptions;
  axes: SweepAxis[];
  /** --scenario as given, and whether the user gave it (else the chain defaults are the base). */
  scenario: string;
  scenarioGiven: boolean;
  predict?: string;
  topology?: string;
  report: boolean;
  /** --baseline / --thresholds were given: a sweep has no gate. */
  gate: boolean;
  createTarget: (runId: string) => Promise<Target>;
}

export async function runSweepCommand(command: SweepCommand): Promise<void> {
  if (command.gate) throw usageError('--sweep does not take --baseline or --thresholds: gate a single run instead');
  if (command.scenarioGiven && !isChainSpec(command.scenario)) {
    throw usageError(`--sweep varies a chain scenario: give --scenario chain:length=L,payload=SIZE,work=MS or leave it out; to compare ${command.scenario} with the model, give it as --predict`);
  }
  const { options } = command;
  // Every point runs hey: missing, it would fail the first point after its deployment.
  const noHey = options.driver === 'hey' ? checkHeyAvailable() : null;
  if (noHey) throw environmentError(noHey);
  const base = command.scenarioGiven ? parseChainSpec(command.scenario) : { ...CHAIN_DEFAULTS };
  const points = sweepPoints(base, command.axes).length + (command.predict ? 1 : 0);
  const profiles = points * options.systems.length * options.workers.length * options.repeat;
  process.stderr.write(
    `fogbench sweep ${options.runId}: ${points} point${points === 1 ? '' : 's'} (${command.axes.map((a) => `${a.name} × ${a.values.length}`).join(', ')}${command.predict ? `, + ${command.predict}` : ''}) × ` +
      `${options.systems.join(', ')} × workers ${options.workers.join(',')} = ${profiles} profiles of ${formatDuration(options.durationMs)}` +
      ` (warm-up ${options.warmupMs > 0 ? formatDuration(options.warmupMs) : 'none'}, target ${options.target}); Ctrl-C stops it, the same command with --run-id ${options.runId} resumes it\n`,
  );
  const progress = createProgressReporter();
  const onEvent = (event: SweepEvent) => {
    switch (event.type) {
      case 'sweep-start':
        if (event.resumed) process.stderr.write(`resuming ${event.dir}: ${event.done} of ${event.total} points already complete, not run again\n`);
        break;
      case 'point-start':
        process.stderr.write(`\n[${event.index + 1}/${event.total}] point ${event.id}\n`);
        break;
      case 'point-skip':
        process.stderr.write(`[${event.index + 1}/${event.total}] point ${event.id}: complete on disk, skipped\n`);
        break;
      case 'point-end':
        process.stderr.write(`[${event.index + 1}/${event.total}] point ${event.id}: ${event.interrupted ? 'interrupted' : 'done'} in ${event.seconds.toFixed(0)} s\n`);
        break;
      default:
        progress(event);
    }
  };
  const signals = abortOnSignals();
  try {
    const outcome = await runSweep(
      { options, base, axes: command.axes, ...(command.predict ? { predict: command.predict } : {}), ...(command.topology ? { topology: command.topology } : {}) },
      {
        runBench,
        createTarget: command.createTarget,
        systems: SYSTEMS,
        onEvent,
        signal: signals.signal,
        afterPoint: command.report
          ? (runDir) =>
              writeRunReport(runDir).then(
                () => undefined,
                (error: unknown) => void process.stderr.write(`warning: the report of ${runDir} could not be written: ${(error as Error).message}\n`),
              )
          : undefined,
      },
    );
    const done = outcome.ran.length + outcome.skipped.length;
    if (done > 0) {
      const data = await readSweep(outcome.dir);
      const content = buildSweepReport(data);
      process.stdout.write(`\n${renderCostModel(content.fits, content.predictions, outcome.manifest.predict?.scenario ?? null)}\n`);
      const { complete, planned } = sweepProgress(data);
      process.stdout.write(`\nsweep:   ${path.resolve(outcome.dir)} (${complete} of ${planned} points complete)\n`);
      // --no-report: the fitted terms above, and no HTML (neither the sweep's nor its points').
      if (command.report) {
        const { htmlPath } = await writeSweepReport(outcome.dir, { data });
        // The index of runs lists sweeps too, as a run's bench updates it.
        await writeIndex(options.runsDir, path.join(options.runsDir, '..', 'index.html'));
        process.stdout.write(`report:  ${path.resolve(htmlPath)}\n`);
      }
    }
    if (outcome.interrupted) {
      process.stderr.write(
        `fogbench: sweep interrupted with ${done} of ${points} points complete; the same command with --run-id ${options.runId} resumes it (complete points are not run again)\n`,
      );
      process.exitCode = ExitCode.interrupted;
    }
  } catch (error) {
    if (signals.signal.aborted) {
      process.stderr.write(`fogbench: sweep interrupted; cleaned up; the same command with --run-id ${options.runId} resumes it\n`);
      process.exitCode = ExitCode.interrupted;
      return;
    }
    throw error;
  } finally {
    signals.dispose();
  }
}

/** The repeatable `--sweep axis=values` option's parser. */
export function collectSweepAxis(value: string, previous: SweepAxis[] = []): SweepAxis[] {
  try {
    return [...previous, parseSweepAxis(value)];
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/**
 * A sweep's points are short unless asked otherwise (its many points × systems × worker counts
 * must fit in minutes on two cores): 3 s measured after 1 s of warm-up, no pause, 1 and 10
 * workers. What the user or a preset set is kept.
 */
export const SWEEP_DEFAULTS = { durationMs: 3_000, warmupMs: 1_000, cooldownMs: 0, workers: [1, 10] };

export function withSweepDefaults(options: BenchOptions, given: (key: 'duration' | 'warmup' | 'cooldown' | 'workers') => boolean): BenchOptions {
  return {
    ...options,
    durationMs: given('duration') ? options.durationMs : SWEEP_DEFAULTS.durationMs,
    warmupMs: given('warmup') ? options.warmupMs : SWEEP_DEFAULTS.warmupMs,
    cooldownMs: given('cooldown') ? options.cooldownMs : SWEEP_DEFAULTS.cooldownMs,
    workers: given('workers') ? options.workers : SWEEP_DEFAULTS.workers,
  };
}
