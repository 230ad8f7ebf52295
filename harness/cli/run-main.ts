/**
 * Runs a commander program and turns expected failures into one line on stderr and a fixed
 * exit code. Unexpected errors keep their stack trace: those are bugs worth reporting.
 *
 * Once the command has finished (its cleanup included), the process ends: a handle some
 * library left open (a bundler's service process, a socket in a pool) must not keep a finished
 * run alive after Ctrl-C, so the exit is forced if the event loop does not drain by itself.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, FogbenchError } from '../errors.ts';
import { stopWasRequested } from './signals.ts';

/** How long a finished command may take to drain its event loop before the exit is forced. */
const DRAIN_MS = 2_000;

export function runMain(program: Command, argv: readonly string[] = process.argv): void {
  const finish = (code: number) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), DRAIN_MS).unref();
  };
  program.parseAsync(argv as string[]).then(
    () => finish(typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok),
    (error: unknown) => finish(reportError(error)),
  );
}

/** Prints the error for a person and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0; commander already printed them.
    if (error.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof FogbenchError) {
    process.stderr.write(`fogbench: ${error.message}\n`);
    return error.exitCode;
  }
  if (stopWasRequested()) {
    // Work cut short by the stop itself (a bundler killed by the same Ctrl-C): cleanup has run.
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    process.stderr.write(`fogbench: stopped (${first})\n`);
    return ExitCode.interrupted;
  }
  process.stderr.write(`fogbench: unexpected error (a bug; please report it with this trace)\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
