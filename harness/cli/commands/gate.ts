/** `fogbench gate`: check an existing run against a baseline and thresholds. */
import { Command } from 'commander';
import { ExitCode } from '../../errors.ts';
import { renderVerdicts } from '../../gate/evaluate.ts';
import { checkBaselineReadable, loadThresholds, runGate } from '../../gate/run-gate.ts';

export function registerGate(program: Command): void {
  program
    .command('gate')
    .description(`check a run against thresholds (and a baseline run); exit code ${ExitCode.regression} when a check fails`)
    .requiredOption('--run <run-dir>', 'run folder to check')
    .requiredOption('--thresholds <file>', 'regression checks, one per line (see docs/regression-gate.md)')
    .option('--baseline <run-dir>', 'run folder to compare with, or a folder of run folders (their median)')
    .option(
      '--reference <run-dir>',
      'a fixed reference, replaced only on purpose (a run folder, or a folder of them: their median): relative checks hold against it too, the stricter limit wins, so a slow decline the baseline follows still fails',
    )
    .action(async (opts: { run: string; thresholds: string; baseline?: string; reference?: string }) => {
      const checks = await loadThresholds(opts.thresholds);
      await checkBaselineReadable(checks, opts.baseline, undefined, opts.reference);
      const { verdicts, notes } = await runGate(opts.run, opts.baseline, checks, { referenceDir: opts.reference });
      process.stdout.write(`${renderVerdicts(verdicts, notes)}\n`);
      if (verdicts.some((v) => !v.passed)) process.exitCode = ExitCode.regression;
    });
}
