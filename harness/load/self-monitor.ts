/**
 * The load generator watching itself: its CPU use and event-loop delay each second. A
 * generator that is short of CPU sends late and measures late, so its figures describe the
 * client, not the system; such a run is flagged "client-limited".
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ClientSample } from '../results/schema.ts';

export function startSelfMonitor(): { stop(): ClientSample[] } {
  const samples: ClientSample[] = [];
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  let cpu = process.cpuUsage();
  let last = started;
  const timer = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    samples.push({
      t: Math.round((now - started) / 1000) - 1,
      cpu: (used.user + used.system) / 1000 / (now - last),
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
    });
    last = now;
    delay.reset();
  }, 1_000);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      return samples;
    },
  };
}
