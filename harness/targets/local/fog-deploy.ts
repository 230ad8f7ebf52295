/**
 * What the fog target's deploy() and startClient() do with pods (fog-pods.ts): a pod per unit,
 * its sidecars as containers beside it, the environment every pod gets, the Endpoints a
 * controller would publish, and the wait for readiness (probes, or GET healthPath as
 * Kubernetes' default probe), with the stderr of a pod that never got ready in the error.
 */
import { join } from 'node:path';
import { SPANS_SOCKET_ENV } from '../../dataflow/span-output.ts';
import { FogbenchError, deployError, usageError } from '../../errors.ts';
import { after, type Timer } from '../../timers.ts';
import type { ClientSpec, DeployOptions, Deployment, Endpoint, HttpProbe, Placement, RunningUnit, UnitSpec } from '../target.ts';
import { PODS_PER_NODE } from './addresses.ts';
import type { FogPods, Pod, Sandbox } from './fog-pods.ts';
import { listenForSpans } from './span-socket.ts';
import type { RestartPolicy } from './supervised-unit.ts';
import { nodeCpuCount, type FogNodeSpec } from './topology.ts';

/** What deploying needs of the fog target, which hands it over once prepared and while open. */
export interface DeployContext {
  pods: FogPods;
  nodeFor(placement: Placement): FogNodeSpec;
  searchPath: string;
  hostCpus: number;
  restartPolicy: RestartPolicy;
  /** Throws once dispose() has begun. */
  checkOpen(): void;
  /** Whether dispose() has begun. */
  closed(): boolean;
  track(promise: Promise<unknown>): void;
}

type ReadyOutcome =
  | { kind: 'ready' }
  | { kind: 'exited'; container: string; status: { code: number | null; signal: NodeJS.Signals | null } }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/**
 * Without probes of its own, a unit is ready once GET healthPath answers 200, probed as
 * Kubernetes' defaults probe (every 10 s, 1 s timeout, 3 failures).
 */
function healthProbe(path: string, port: number): HttpProbe {
  return { path, port, initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
}

export async function deployPods(ctx: DeployContext, units: UnitSpec[], options: DeployOptions): Promise<Deployment> {
  const names = new Set<string>();
  for (const unit of units) {
    if (names.has(unit.name)) throw deployError(`two units are called "${unit.name}"`);
    names.add(unit.name);
  }
  checkCapacity(ctx, units);
  const pods: Pod[] = [];
  const placed: (Sandbox & { unit: UnitSpec })[] = [];
  const stopAll = async () => {
    await Promise.all(pods.map((pod) => ctx.pods.remove(pod)));
    for (const p of placed) await ctx.pods.destroySandbox(p);
  };
  // The Endpoints a Kubernetes controller would publish: every pod, ready or not.
  const publish = () =>
    options.onEndpoints?.(pods.map((p) => ({ unit: p.name, service: p.service, host: p.network.address, port: p.port, ready: p.pod.isReady })));
  try {
    for (const unit of units) {
      const node = ctx.nodeFor(unit.placement);
      const containers = [unit.container ?? unit.name, ...(unit.accountingGroups ?? []).map((g) => g.name), ...(unit.sidecars ?? []).map((c) => c.name)];
      placed.push({ unit, ...(await ctx.pods.createSandbox(unit.name, node, unit.memoryLimitBytes ?? null, containers)) });
    }
    const endpoints = new Map<string, Endpoint>(placed.map((p) => [p.unit.name, { host: p.network.address, port: p.unit.port }]));
    for (const sandbox of placed) {
      ctx.checkOpen();
      const { unit, node } = sandbox;
      sandbox.spans = await listenForSpans(join(sandbox.tmpDir, 'spans.sock'), (line) => options.onLine(unit.name, line));
      // The target is the one that knows the node: its FOGBENCH_NODE wins over the unit's; Go
      // programs (gateway, provider, watchdogs) size their schedulers by the node's CPUs.
      const podEnv = {
        PATH: ctx.searchPath,
        FOGBENCH_NODE: node.name,
        GOMAXPROCS: String(nodeCpuCount(node, ctx.hostCpus)),
        [SPANS_SOCKET_ENV]: sandbox.spans.path,
      };
      const pod = ctx.pods.start(
        {
          name: unit.name,
          service: unit.service ?? unit.name,
          sandbox,
          port: unit.port,
          restartPolicy: ctx.restartPolicy,
          workDir: unit.artifactDir,
          containers: [
            {
              name: unit.container ?? unit.name,
              unitName: unit.name,
              command: unit.command,
              args: unit.args,
              env: { ...unit.env(endpoints), ...podEnv },
              probes: unit.probes ?? { readiness: healthProbe(unit.healthPath, unit.port) },
              accountingGroups: unit.accountingGroups ?? [],
            },
            ...(unit.sidecars ?? []).map((c) => ({
              name: c.name,
              unitName: `${unit.name}/${c.name}`,
              command: c.command,
              args: c.args,
              env: { ...c.env(endpoints), ...podEnv },
              probes: c.probes ?? {},
              accountingGroups: [],
            })),
          ],
        },
        publish,
      );
      for (const running of pod.pod.units) running.onLine((line) => options.onLine(unit.name, line));
      pods.push(pod);
    }
    publish();
    const outcomes = await Promise.all(pods.map(async (pod) => ({ pod, outcome: await waitReady(pod, options.readyTimeoutMs, options.signal) })));
    const failed = outcomes.find((o) => o.outcome.kind !== 'ready');
    if (failed !== undefined) {
      if (failed.outcome.kind === 'aborted') throw new FogbenchError('interrupted', 'interrupted while deploying');
      throw deployError(notReadyMessage(failed.pod, failed.outcome, options.readyTimeoutMs));
    }
    for (const { pod } of outcomes) pod.pod.enableRestarts();
  } catch (error) {
    await stopAll();
    // dispose() from a signal handler kills the units under a deploy: that is not their fault.
    if (ctx.closed() && !(error instanceof FogbenchError && error.code === 'interrupted')) {
      throw new FogbenchError('interrupted', 'interrupted while deploying', { cause: error });
    }
    throw error;
  }
  const placement = new Map(pods.map((pod) => [pod.name, pod.node.name]));
  let stopped: Promise<void> | null = null;
  return {
    endpoints: new Map(pods.map((pod) => [pod.name, { host: pod.network.address, port: pod.port }])),
    units: pods.flatMap((pod) => pod.pod.units),
    placement,
    stop: () => (stopped ??= stopAll()),
  };
}

/**
 * Each node's pods take their addresses from its /24: a plan that cannot fit (--replicas 300)
 * is refused before any pod is made, as a usage error saying what to lower.
 */
function checkCapacity(ctx: DeployContext, units: readonly UnitSpec[]): void {
  const perNode = new Map<FogNodeSpec, number>();
  for (const unit of units) {
    const node = ctx.nodeFor(unit.placement);
    perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  for (const [node, count] of perNode) {
    const there = ctx.pods.podsOn(node);
    if (there + count > PODS_PER_NODE) {
      throw usageError(`this deployment puts ${count} pods on fog node ${node.name}${there ? ` beside the ${there} there` : ''}; at most ${PODS_PER_NODE} fit on one node: lower --replicas, or use a topology with more worker nodes`);
    }
  }
}

/** The load generator's pod on the client node: it lives as long as its process. */
export async function startClientPod(ctx: DeployContext, spec: ClientSpec): Promise<RunningUnit> {
  const node = ctx.nodeFor({ role: 'client' });
  const sandbox = await ctx.pods.createSandbox(spec.name, node, null, [spec.name]);
  const pod = ctx.pods.start(
    {
      name: spec.name,
      service: spec.name,
      sandbox,
      port: 0,
      // The load generator ending is the end of a profile: never restarted, not an event.
      restartPolicy: 'never',
      workDir: process.cwd(),
      containers: [{ name: spec.name, unitName: spec.name, command: spec.command, args: spec.args, env: { PATH: ctx.searchPath, ...spec.env }, probes: {}, accountingGroups: [] }],
    },
    () => undefined,
    true,
  );
  const unit = pod.pod.units[0]!;
  // A client pod lives as long as its process: the next profile gets a fresh one.
  ctx.track(
    unit.exited.then(async () => {
      await ctx.pods.remove(pod);
      await ctx.pods.destroySandbox(sandbox);
    }),
  );
  return unit;
}

async function waitReady(pod: Pod, timeoutMs: number, signal: AbortSignal | undefined): Promise<ReadyOutcome> {
  let timer: Timer | undefined;
  let onAbort: (() => void) | undefined;
  const outcomes: Promise<ReadyOutcome>[] = [
    pod.pod.firstReady().then(() => ({ kind: 'ready' as const })),
    pod.pod.firstExit().then(({ container, status }) => ({ kind: 'exited' as const, container, status })),
    new Promise((resolve) => (timer = after(timeoutMs, () => resolve({ kind: 'timeout' })))),
    new Promise((resolve) => {
      if (signal?.aborted) return resolve({ kind: 'aborted' });
      onAbort = () => resolve({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  ];
  try {
    return await Promise.race(outcomes);
  } finally {
    timer?.clear();
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function notReadyMessage(pod: Pod, outcome: ReadyOutcome, timeoutMs: number): string {
  const why =
    outcome.kind === 'exited'
      ? `${outcome.container === pod.name ? '' : `container ${outcome.container} `}exited (${outcome.status.signal ?? `code ${outcome.status.code}`}) before it was ready`
      : `was not ready within ${Math.round(timeoutMs / 1000)} s (readiness probe)`;
  const tail = pod.pod.stderrTail().trim().split('\n').slice(-5).join(' | ');
  return `unit ${pod.name} on fog node ${pod.node.name} (${pod.network.address}:${pod.port}) ${why}${tail ? `; stderr: ${tail}` : ''}`;
}
