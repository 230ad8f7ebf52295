/**
 * The run-time side of synthetic chain scenarios (`--scenario chain:length=L,payload=SIZE,work=MS`):
 * what a generated scenario module imports. Kept apart from synthetic-chain.ts (spec parsing,
 * file writing) so the service and function bundles pull in nothing but the DSL.
 *
 * Every step parses the payload (the runtime does, as for any scenario), spends a fixed amount of
 * CPU time, and passes the same records on: its output serialises to the same bytes as its input,
 * so every hop of the chain carries exactly SIZE bytes and the client gets them back.
 */
import { defineFunction, defineScenario, flow, type Flow } from './scenario.ts';

export interface ChainSpec {
  /** Steps in the chain (functions, each on the next worker). */
  length: number;
  /** Bytes of the request body, of every hop's body, and of the response. */
  payloadBytes: number;
  /** CPU time each step spends (ms of this process's CPU, not wall time). */
  workMs: number;
}

/**
 * One record of the payload, shaped like a reading of the dataset (~110 bytes, as the temperature
 * scenario's are ~117), so that parsing and serialising a chain's body costs per byte what a
 * real batch costs. The last record carries `pad` to make the body exactly its size.
 */
export interface ChainRecord {
  sensor: string;
  variable: string;
  units: string;
  timestamp: string;
  value: number;
  pad?: string;
}

/**
 * Spends `ms` of this process's CPU time. Measured with process.cpuUsage, so a step throttled
 * by its node's CPU quota still does the same work, only later: the work is fixed, not its
 * wall time.
 */
export function spendCpu(ms: number): void {
  if (!(ms > 0)) return;
  const start = process.cpuUsage();
  const target = ms * 1000;
  let sink = 0;
  for (;;) {
    for (let i = 0; i < 2_000; i++) sink += Math.sqrt(i + sink);
    const used = process.cpuUsage(start);
    if (used.user + used.system >= target) break;
  }
  // Keeps the loop from being optimised away.
  if (sink === -1) throw new Error('unreachable');
}

/** Step `index` (1-based) of a chain: its name is step<index>. */
export function chainStep(index: number, workMs: number) {
  return defineFunction<ChainRecord[], ChainRecord[]>(`step${index}`, (input) => {
    if (!Array.isArray(input)) throw new Error('a chain step takes the JSON array of records the client sends');
    spendCpu(workMs);
    return input;
  });
}

/** The scenario of a spec: step1 → step2 → … → step<length>. */
export function chainScenario(spec: ChainSpec) {
  let chain: Flow<ChainRecord[], ChainRecord[]> = flow(chainStep(1, spec.workMs));
  for (let i = 2; i <= spec.length; i++) chain = chain.then(chainStep(i, spec.workMs));
  return defineScenario({
    name: `chain-${spec.length}x${spec.payloadBytes}B-${spec.workMs}ms`,
    description: `Synthetic chain: ${spec.length} step${spec.length === 1 ? '' : 's'}, each spending ${spec.workMs} ms of CPU and passing ${spec.payloadBytes} bytes on`,
    flow: chain,
  });
}
