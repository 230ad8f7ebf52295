/**
 * `fogbench calibrate --preset paper`: finds the readings per request at which p2p at 1 worker,
 * on the paper's topology and data path, reaches the paper's 0.49 s mean latency (Table III),
 * by bisection over short runs (harness/replication/calibration-search.ts), printing each step,
 * and writes the result for `bench --preset paper` (harness/replication/calibration.ts). That
 * number is the only thing fitted to the paper.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { runBench } from '../../bench/run-bench.ts';
import { BUILD_ROOT } from '../../build-folders.ts';
import type { BenchOptions } from '../../bench/options.ts';
import { provenance } from '../../bench/provenance.ts';
import { environmentError, ExitCode } from '../../errors.ts';
import { openDataset } from '../../load/replay.ts';
import { chooseDriver } from '../../load/drivers.ts';
import { SERVICE_DEFAULTS } from '../../dataflow/service-env.ts';
import { nextProbe, type Probe, type SearchSettings } from '../../replication/calibration-search.ts';
import { CALIBRATION_FILE, PAPER_TARGET, writeCalibration, type CalibrationStep } from '../../replication/calibration.ts';
import { SYSTEMS } from '../../systems/registry.ts';
import { createTargetFromCli, DEFAULT_TARGET } from '../../targets/registry.ts';
import { displayPath } from '../../../datasets/paths.ts';
import { calibrationFileFromEnv, ownerDirFromEnv } from '../environment.ts';
import { formatDuration, parseDurationOrZero, parsePositiveInt, parseWindow } from '../parse.ts';
import { fileSha256, hostFacts, paperData, PAPER_TOPOLOGY } from '../presets.ts';
import { abortOnSignals } from '../signals.ts';
import { DEFAULT_DEADLINE_MS, DEFAULT_HOP_TIMEOUT_MS } from '../system-options.ts';
import { addTargetOptions } from '../target-options.ts';

interface RawCalibrateOptions {
  preset: 'paper';
  target: string;
  topology?: string;
  dataset: string;
  stepDuration: number;
  warmup: number;
  maxSteps: number;
  tolerance: number;
}

/** A step whose requests failed more than this share is too large (a body limit, a deadline). */
const FAILED_SHARE = 0.01;

function parseShare(value: string): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(value);
  const share = m ? Number(m[1]) / 100 : NaN;
  if (!(share > 0 && share < 0.5)) throw new InvalidArgumentError('give a percentage above 0 and below 50, e.g. 5%');
  return share;
}

export function registerCalibrate(program: Command): void {
  const calibrate = program
    .command('calibrate')
    .description("find the readings per request at which p2p at 1 worker reaches the paper's mean latency (the one number fitted to the paper)")
    .addOption(new Option('--preset <name>', 'what to calibrate for').choices(['paper']).makeOptionMandatory())
    .option('--target <name>', 'where to measure', DEFAULT_TARGET)
    .option('--dataset <file>', "readings the sensor feed serves (default: the synthetic month's temperature readings, as --preset paper)", '')
    .addOption(new Option('--step-duration <time>', 'measured window of each step').argParser(parseWindow).default(20_000, '20s'))
    .addOption(new Option('--warmup <time>', 'load before each step, not counted').argParser(parseDurationOrZero).default(3_000, '3s'))
    .addOption(new Option('--max-steps <n>', 'steps at most').argParser(parsePositiveInt).default(10))
    .addOption(new Option('--tolerance <share>', 'done within this share of the target').argParser(parseShare).default(0.05, '5%'))
    .action(async (raw: RawCalibrateOptions, command: Command) => {
      const fromUser = (key: string) => command.getOptionValueSource(key) === 'cli';
      const progress = (m: string) => process.stderr.write(`  ${m}\n`);
      const { dataset, topology } = await paperData({ target: raw.target, fromUser, dataset: raw.dataset, topology: raw.topology, progress });
      if (topology !== undefined) raw.topology = topology;
      // Bytes per reading as the feed serves them (JSON), from the first thousand of the file.
      const opened = await openDataset(dataset, { batchSize: 1000 });
      const bytesPerReading = opened.source.next().length / 1000;
      // The largest request both systems accept (their 4 MiB body limit), and no more than the month holds.
      const maxReadings = Math.min(opened.description.rows, Math.floor((0.95 * SERVICE_DEFAULTS.bodyLimitBytes) / bytesPerReading));
      const settings: SearchSettings = { minReadings: 1, maxReadings, targetS: PAPER_TARGET.meanLatencyS, tolerance: raw.tolerance };
      process.stderr.write(
        `fogbench calibrate --preset paper: readings per request for p2p at 1 worker to reach ${PAPER_TARGET.meanLatencyS} s mean latency (${PAPER_TARGET.source});` +
          ` ${formatDuration(raw.stepDuration)} steps on ${raw.target}${topology ? ` (${displayPath(topology)})` : ''}, at most ${raw.maxSteps}, from 1 to ${maxReadings} readings\n`,
      );
      const signals = abortOnSignals();
      const history: Probe[] = [];
      const steps: CalibrationStep[] = [];
      const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
      try {
        for (let step = 1; step <= raw.maxSteps; step++) {
          const next = nextProbe(history, settings);
          if (next.done) return await finish(next.best, next.reason);
          const runId = `calibrate-${stamp}-s${step}`;
          const options = stepOptions(raw, dataset, next.readings, runId);
          const target = await createTargetFromCli(raw.target, { runId, ownerDir: ownerDirFromEnv(), progress }, raw as unknown as Record<string, unknown>);
          const outcome = await runBench(options, { target, systems: SYSTEMS, onEvent: () => undefined, signal: signals.signal });
          if (outcome.interrupted || signals.signal.aborted) {
            process.stderr.write('fogbench: calibration interrupted; nothing written\n');
            process.exitCode = ExitCode.interrupted;
            return;
          }
          const profile = outcome.profiles[0]!;
          const probe: Probe = { readings: next.readings, meanLatencyS: profile.latency.mean / 1000, failed: profile.errorRate > FAILED_SHARE };
          history.push(probe);
          steps.push({ readings: probe.readings, bytes: Math.round(probe.readings * bytesPerReading), meanLatencyS: probe.meanLatencyS, requests: profile.requests, errorRate: profile.errorRate, runId });
          process.stdout.write(
            `step ${step}: ${probe.readings} readings per request (${(probe.readings * bytesPerReading / 1e6).toFixed(2)} MB) → p2p mean latency ${probe.meanLatencyS.toFixed(3)} s` +
              ` over ${profile.requests} requests, ${(profile.errorRate * 100).toFixed(2)} % errors${probe.failed ? ' (too many errors: counted as too large)' : ''} (target ${PAPER_TARGET.meanLatencyS} s)\n`,
          );
        }
        const last = nextProbe(history, settings);
        await finish(last.done ? last.best : closestOf(history, settings.targetS), `${raw.maxSteps} steps taken`);
      } finally {
        signals.dispose();
      }

      async function finish(best: Probe | null, reason: string): Promise<void> {
        if (best === null) throw environmentError(`calibration failed: ${reason}; nothing written`);
        const meta = await provenance();
        const file = calibrationFileFromEnv() ?? CALIBRATION_FILE;
        await writeCalibration({
          kind: 'fogbench.calibration',
          version: 1,
          preset: 'paper',
          readingsPerRequest: best.readings,
          meanLatencyS: best.meanLatencyS,
          target: PAPER_TARGET,
          tolerance: raw.tolerance,
          host: hostFacts(),
          topology: { file: displayPath(topology ?? PAPER_TOPOLOGY), sha256: await fileSha256(topology ?? PAPER_TOPOLOGY) },
          dataset: { file: displayPath(dataset), sha256: await fileSha256(dataset) },
          fogbench: { version: meta.fogbench.version, gitSha: meta.fogbench.gitSha },
          createdAt: new Date().toISOString(),
          steps,
        }, file);
        process.stdout.write(
          `\ncalibrated: ${best.readings} readings per request (${(best.readings * bytesPerReading / 1e6).toFixed(2)} MB): p2p at 1 worker ${best.meanLatencyS.toFixed(3)} s against the paper's ${PAPER_TARGET.meanLatencyS} s (${reason})\n` +
            `written to ${displayPath(file)}; \`npm run bench -- --preset paper\` uses it\n`,
        );
      }
    });
  addTargetOptions(calibrate);
}

const closestOf = (history: readonly Probe[], target: number) =>
  history.filter((p) => !p.failed).sort((a, b) => Math.abs(a.meanLatencyS - target) - Math.abs(b.meanLatencyS - target))[0] ?? null;

/** The paper preset's conditions for one short p2p profile at 1 worker with this many readings. */
function stepOptions(raw: RawCalibrateOptions, dataset: string, readings: number, runId: string): BenchOptions {
  return {
    scenarioFile: 'scenarios/temperature.ts',
    systems: ['p2p'],
    workers: [1],
    durationMs: raw.stepDuration,
    keepAlive: false,
    driver: chooseDriver('auto', { keepAlive: false }),
    timeoutMs: 20_000,
    hopTimeoutMs: DEFAULT_HOP_TIMEOUT_MS,
    deadlineMs: DEFAULT_DEADLINE_MS,
    dataset,
    batchSize: readings,
    dataPath: 'in-system',
    runsDir: path.join('build', 'calibration', 'runs'),
    buildDir: BUILD_ROOT,
    runId,
    target: raw.target,
    config: {},
    readyTimeoutMs: 60_000,
    cooldownMs: 0,
    preset: 'paper',
    warmupMs: raw.warmup,
    rate: null,
    arrivals: 'constant',
    seed: 1,
    repeat: 1,
    replicas: 1,
    openfaasTimeouts: {},
    functionRuntime: 'template',
    faults: [],
  };
}
