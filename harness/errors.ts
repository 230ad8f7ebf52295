/**
 * Typed errors for expected failures. The CLI prints `message` on one line and exits with
 * `exitCode`; anything that is not a FogbenchError is a bug and gets a stack trace.
 */
export const ExitCode = {
  ok: 0,
  /** Bad command line, option or input file: the user must change what they asked for. */
  usage: 2,
  /** The host cannot do what was asked (missing tool, no privileges). */
  environment: 3,
  /** The system under test could not be deployed or did not become healthy. */
  deploy: 4,
  /** A regression gate threshold failed. */
  regression: 5,
  /** Interrupted by SIGINT/SIGTERM after cleaning up. */
  interrupted: 130,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

export class FogbenchError extends Error {
  readonly code: ExitCodeName;
  constructor(code: ExitCodeName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FogbenchError';
    this.code = code;
  }
  get exitCode(): number {
    return ExitCode[this.code];
  }
}

export const usageError = (message: string, cause?: unknown) => new FogbenchError('usage', message, { cause });
export const environmentError = (message: string, cause?: unknown) =>
  new FogbenchError('environment', message, { cause });
export const deployError = (message: string, cause?: unknown) => new FogbenchError('deploy', message, { cause });

/**
 * For teardown: `attempt` runs a step and collects what it throws (a synchronous throw included)
 * instead of throwing, so the later steps still run; `errors` holds what failed, in order.
 */
export function errorCollector(): { errors: unknown[]; attempt(step: () => unknown): Promise<void> } {
  const errors: unknown[] = [];
  return { errors, attempt: (step) => Promise.resolve().then(step).then(() => undefined, (error: unknown) => void errors.push(error)) };
}
