/**
 * A performance benchmark run by `npm run perf`. Targets are ratios of two things measured side
 * by side in the same run, so machine speed and load cancel out; they are printed, not asserted
 * in unit tests.
 */
export interface PerfLine {
  /** What was compared, e.g. "p2p chain vs bare forwarder chain (throughput)". */
  label: string;
  /** Measured figures, already formatted with units. */
  figures: Record<string, string>;
  ratio?: number;
  /** The target, e.g. ">= 0.90"; compared with ratio when both exist. */
  target?: { op: '>=' | '<='; value: number };
}

export interface Benchmark {
  name: string;
  description: string;
  run(log: (message: string) => void): Promise<PerfLine[]>;
}
