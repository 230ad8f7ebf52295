/**
 * The loopback target: every unit is a child process on 127.0.0.1 with a free port. No
 * isolation between units or from the load generator; use it for development and when the
 * host cannot create network namespaces.
 */
import os from 'node:os';
import type { ClusterEvent, ResourceSample, TargetDescription } from '../../results/schema.ts';
import type { ClientSpec, Deployment, DeployOptions, Endpoint, Observer, RunningUnit, Target, UnitSpec } from '../target.ts';
import { spawnUnit } from '../process/child-unit.ts';
import { waitUnitHealthy } from '../process/wait-healthy.ts';
import { readProcStat } from '../process/proc-stats.ts';
import { freePort } from './free-port.ts';
import { deployError } from '../../errors.ts';

const HOST = '127.0.0.1';
const NODE = 'localhost';

export function createLoopbackTarget(): Target {
  const running = new Set<RunningUnit>();

  const track = (unit: RunningUnit): RunningUnit => {
    running.add(unit);
    void unit.exited.then(() => running.delete(unit));
    return unit;
  };

  return {
    kind: 'loopback',
    // Every unit shares 127.0.0.1: no fixed ports, no second container, no kubelet.
    capabilities: { podNetwork: false, probes: false },
    async prepare() {},

    describe(): TargetDescription {
      return {
        kind: 'loopback',
        nodes: [{ name: NODE, role: 'all', cpus: os.cpus().length, memoryBytes: os.totalmem(), address: HOST }],
        shaping: 'none: every unit and the load generator share the host loopback interface and CPUs',
        details: {},
      };
    },

    async deploy(units: UnitSpec[], options: DeployOptions): Promise<Deployment> {
      const withSidecars = units.find((u) => u.sidecars?.length);
      if (withSidecars) throw deployError(`unit ${withSidecars.name} has several containers; the loopback target runs one process per unit (use --target fog)`);
      const endpoints = new Map<string, Endpoint>();
      for (const unit of units) endpoints.set(unit.name, { host: HOST, port: await freePort(HOST) });
      const started: RunningUnit[] = [];
      const deployment: Deployment = {
        endpoints,
        units: started,
        placement: new Map(units.map((u) => [u.name, NODE])),
        stop: async () => {
          await Promise.all(started.map((u) => u.stop()));
        },
      };
      try {
        for (const unit of units) {
          const endpoint = endpoints.get(unit.name)!;
          const env = { ...inheritedEnv(), ...unit.env(endpoints), PORT: String(endpoint.port), FOGBENCH_HOST: HOST, FOGBENCH_NODE: NODE, FOGBENCH_OWNER_PID: String(process.pid) };
          const child = track(
            spawnUnit(unit.name, unit.command, unit.args, { cwd: unit.artifactDir, env }),
          );
          child.onLine((line) => options.onLine(unit.name, line));
          started.push(child);
        }
        await Promise.all(
          units.map((unit, i) => waitUnitHealthy(started[i]!, endpoints.get(unit.name)!, unit.healthPath, options.readyTimeoutMs, options.signal)),
        );
      } catch (error) {
        await deployment.stop();
        throw error;
      }
      return deployment;
    },

    async startClient(spec: ClientSpec): Promise<RunningUnit> {
      return track(spawnUnit(spec.name, spec.command, spec.args, { env: { ...inheritedEnv(), ...spec.env } }));
    },

    observe(deployment: Deployment, t0: number): Observer {
      return observeProcesses(deployment, t0);
    },

    async dispose() {
      await Promise.all([...running].map((u) => u.stop()));
    },
  };
}

/** Units get PATH and HOME but none of the harness's own settings. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** Per-process CPU and memory each second, and an event for every unit that exits. */
export function observeProcesses(deployment: Deployment, t0: number): Observer {
  const events: ClusterEvent[] = [];
  const resources: ResourceSample[] = [];
  let stopped = false;
  const seconds = () => (Date.now() - t0) / 1000;
  for (const unit of deployment.units) {
    void unit.exited.then(({ code, signal }) => {
      if (stopped) return;
      events.push({
        t: seconds(),
        at: new Date().toISOString(),
        kind: 'exit',
        subject: unit.name,
        node: deployment.placement.get(unit.name),
        detail: signal ? `killed by ${signal}` : `exited with code ${code}`,
      });
    });
  }
  // Each unit's CPU counter is read once as the window opens, so the first second is measured
  // rather than estimated, and each sample is a rate over the time that really passed since the
  // previous reading (a timer on a busy machine fires late), which it says in `intervalS`.
  const last = new Map<string, { cpuSeconds: number; at: number }>();
  const sample = async (record: boolean) => {
    for (const unit of deployment.units) {
      if (unit.pid === undefined) continue;
      const stat = await readProcStat(unit.pid);
      if (!stat) continue;
      const at = seconds();
      const previous = last.get(unit.name);
      last.set(unit.name, { cpuSeconds: stat.cpuSeconds, at });
      if (!record || previous === undefined || at <= previous.at) continue;
      const intervalS = at - previous.at;
      resources.push({
        t: Math.round(at * 1000) / 1000,
        node: unit.name,
        cpu: (stat.cpuSeconds - previous.cpuSeconds) / intervalS,
        cpuLimit: null,
        memoryBytes: stat.rssBytes,
        memoryLimitBytes: null,
        intervalS: Math.round(intervalS * 1000) / 1000,
      });
    }
  };
  void sample(false);
  const timer = setInterval(() => void sample(true), 1_000);
  timer.unref();
  return {
    events: () => [...events],
    resources: () => [...resources],
    async stop() {
      clearInterval(timer);
      // The last stretch, up to now: the window's final partial second is measured too.
      if (!stopped) await sample(true);
      stopped = true;
    },
  };
}
