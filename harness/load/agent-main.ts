/**
 * Entry of the load agent process (bundled by the harness, run by the target on the client
 * node). Reads its spec from the file named on the command line, reports on stdout.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { readJsonInside } from '../safe-fs.ts';
import { ProfileRecorder } from '../metrics/recorder.ts';
import { fixedBody, type BodySource } from './body-source.ts';
import { AGENT_SPEC_SHAPE, type AgentMessage, type AgentSpec } from './agent-protocol.ts';
import { DRIVERS } from './drivers.ts';
import { httpDriver } from './http-driver.ts';
import { startSelfMonitor } from './self-monitor.ts';
import type { ClientSample } from '../results/schema.ts';
import { openDataset } from './replay.ts';
import { after } from '../timers.ts';

const say = (message: AgentMessage) => process.stdout.write(JSON.stringify(message) + '\n');

async function openBodies(spec: AgentSpec['bodies']): Promise<BodySource> {
  if (spec.kind === 'fixed') return fixedBody(await readFile(spec.file));
  return (await openDataset(spec.file, { batchSize: spec.batchSize })).source;
}

/**
 * The warm-up: the same load, recorded nowhere, ended by draining so that none of its requests
 * is still running in the system when the window opens. A driver that cannot drain (autocannon
 * destroys its connections when it stops, and the system goes on with what it had) hands the
 * last fifth of the warm-up to the fogbench-http driver, which drains.
 */
async function warmUp(spec: AgentSpec, bodies: BodySource, signal: AbortSignal): Promise<{ ms: number; requests: number; drainMs: number }> {
  const driver = DRIVERS[spec.driver];
  const started = performance.now();
  const recorder = new ProfileRecorder(started);
  let sendMs = spec.warmupMs;
  if (driver.canDrain === false) {
    const tail = Math.min(1_000, spec.warmupMs / 5);
    await driver.run({ ...spec.load, durationMs: spec.warmupMs - tail }, bodies, recorder, signal, { end: 'cut', ...scratch(spec) });
    sendMs = tail;
  }
  const drainFrom = performance.now() + sendMs;
  await (driver.canDrain === false ? httpDriver : driver).run({ ...spec.load, durationMs: sendMs }, bodies, recorder, signal, { end: 'drain', ...scratch(spec) });
  const { requests } = recorder.counters();
  return { ms: spec.warmupMs, requests, drainMs: Math.max(0, performance.now() - drainFrom) };
}

/** What every driver run of the agent shares: the scratch folder, and the hey the bench checked. */
const scratch = (spec: AgentSpec) => ({ ...(spec.scratchDir ? { scratchDir: spec.scratchDir } : {}), ...(spec.hey ? { hey: spec.hey } : {}) });

async function main(specFile: string): Promise<void> {
  const spec = await readJsonInside<AgentSpec>(path.dirname(specFile), path.basename(specFile), AGENT_SPEC_SHAPE, 'a load agent spec');
  if (spec === null) throw new Error(`${specFile} does not exist`);
  const bodies = await openBodies(spec.bodies);
  say({ type: 'ready', bodies: bodies.describe() });
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());

  const driver = DRIVERS[spec.driver];
  const warmup = spec.warmupMs > 0 ? await warmUp(spec, bodies, abort.signal) : undefined;
  if (abort.signal.aborted) throw new Error('interrupted during warm-up');
  const startEpochMs = Date.now();
  const start = performance.now();
  const recorder = new ProfileRecorder(start, spec.load.durationMs);
  const monitor = startSelfMonitor();
  say({ type: 'start', epochMs: startEpochMs });
  const progress = setInterval(() => say({ type: 'progress', elapsedMs: performance.now() - start, ...recorder.counters() }), 1_000);
  // The generator is watched over the window, not over what a driver does after it (hey's
  // rows are read once hey has ended: that work is not load generation).
  let client: ClientSample[] | undefined;
  const windowEnd = after(spec.load.durationMs, () => (client = monitor.stop()));
  let cutOff: number;
  try {
    ({ cutOff } = await driver.run(spec.load, bodies, recorder, abort.signal, { end: 'cut', ...scratch(spec) }));
  } finally {
    clearInterval(progress);
    windowEnd.clear();
    client ??= monitor.stop();
  }
  const end = Math.min(performance.now(), start + spec.load.durationMs);
  const raw = { ...recorder.finish(end, cutOff), client, ...(warmup ? { warmup } : {}) };
  say({ type: 'result', driver: spec.driver, raw, startEpochMs, maxRssBytes: process.resourceUsage().maxRSS * 1024 });
}

/** The agent's own error, said on stdout where the harness reads it, whatever threw it. */
const die = (error: unknown) => {
  const named = error instanceof Error && /^(Range|Type|Syntax|Reference|Eval|URI)Error$/.test(error.name);
  say({ type: 'error', message: error instanceof Error ? `${named ? `${error.name}: ` : ''}${error.message}` : String(error) });
  process.exit(1);
};
// An error thrown in a callback (a stream's, a timer's) never reaches main's promise.
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

const specFile = process.argv[2];
if (!specFile) {
  say({ type: 'error', message: 'usage: agent <spec.json>' });
  process.exit(2);
}
main(specFile).then(() => process.exit(0), die);
