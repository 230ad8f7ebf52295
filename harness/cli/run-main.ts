/**
 * Runs a commander program and turns expected failures into one line on stderr and a fixed
 * exit code. Unexpected errors keep their stack trace: those are bugs worth reporting.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode, FogbenchError } from '../errors.ts';

export function runMain(program: Command, argv: readonly string[] = process.argv): void {
  program.parseAsync(argv as string[]).then(
    () => {
      if (process.exitCode === undefined) process.exitCode = ExitCode.ok;
    },
    (error: unknown) => {
      process.exitCode = reportError(error);
    },
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
  process.stderr.write(`fogbench: unexpected error (a bug; please report it with this trace)\n`);
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}
