/**
 * How a target plugs into the command line: its own options and maintenance commands, and how
 * it is made from them. Each target folder declares its TargetDefinition in its cli.ts;
 * registry.ts lists them. (A file of its own so that a target's cli.ts and the registry need not
 * import each other.)
 */
import type { Target } from './target.ts';

/** What every target is given, whatever it is. */
export interface CommonTargetOptions {
  runId: string;
  /** fog runs keep owner records here (default /run/fogbench); FOGBENCH_OWNER_DIR, read by the CLI. */
  ownerDir?: string;
  /** Progress lines from long target work (image builds, cluster checks). */
  progress?: (message: string) => void;
}

/** One command-line option a target owns. */
export interface TargetOption {
  /** commander flags, e.g. "--kubeconfig <file>"; a flag without a value is a boolean. */
  flags: string;
  /** The key commander parses it into (camelCase of the long flag). */
  key: string;
  description: string;
  parse?: (value: string) => unknown;
}

/** A maintenance command a target owns: run instead of a benchmark when its flag is given. */
export interface TargetMaintenance {
  flags: string;
  key: string;
  description: string;
  /** Does the work and returns what to print. */
  run(common: Omit<CommonTargetOptions, 'runId'>): Promise<string>;
}

export interface TargetDefinition {
  name: string;
  description: string;
  options: TargetOption[];
  maintenance?: TargetMaintenance[];
  /** `own` holds this target's options only, by key, as the CLI parsed them. */
  create(common: CommonTargetOptions, own: Readonly<Record<string, unknown>>): Target | Promise<Target>;
}
