/**
 * Watches pods and events in the benchmark's namespaces while a profile runs and samples pod
 * CPU and memory from the metrics API (metrics-server ships with K3s). Watches that end (the
 * API server closes them every few minutes, or restarts) are reopened until stop().
 */
import { Watch, type CoreV1Event, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { ClusterEvent, ResourceSample } from '../../results/schema.ts';
import type { Observer } from '../target.ts';
import { kubeRequest } from './connection.ts';
import { eventTime, podDeleted, podTransitions, warningEvent, type EventClock } from './pod-events.ts';
import { podMetricsSample, type PodMetricsItem } from './pod-metrics.ts';
import { after, type Timer } from '../../timers.ts';

export interface ObserverOptions {
  namespaces: readonly string[];
  t0: number;
  now?: () => number;
  /** How often to read pod metrics; metrics-server itself refreshes every 15 s by default. */
  metricsIntervalMs?: number;
  retryMs?: number;
}

interface PodMetrics {
  items?: PodMetricsItem[];
}

export function observeCluster(kc: KubeConfig, options: ObserverOptions): Observer {
  const clock: EventClock = { t0: options.t0, now: options.now ?? Date.now };
  const events: ClusterEvent[] = [];
  const resources: ResourceSample[] = [];
  const pods = new Map<string, V1Pod>();
  const seenEvents = new Set<string>();
  const aborts = new Set<AbortController>();
  const timers = new Set<Timer>();
  let stopped = false;
  const startedAt = clock.now();

  const later = (fn: () => void, ms: number) => {
    const timer = after(ms, () => {
      timers.delete(timer);
      fn();
    }).unref();
    timers.add(timer);
  };

  const watch = (path: string, onEvent: (phase: string, object: unknown) => void) => {
    const open = async () => {
      if (stopped) return;
      try {
        const controller = await new Watch(kc).watch(path, {}, onEvent, () => {
          aborts.delete(controller);
          if (!stopped) later(() => void open(), options.retryMs ?? 1_000);
        });
        if (stopped) controller.abort();
        else aborts.add(controller);
      } catch {
        if (!stopped) later(() => void open(), options.retryMs ?? 1_000);
      }
    };
    void open();
  };

  for (const namespace of options.namespaces) {
    watch(`/api/v1/namespaces/${namespace}/pods`, (phase, object) => {
      const pod = object as V1Pod;
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      if (phase === 'DELETED') {
        pods.delete(key);
        events.push(podDeleted(pod, clock));
        return;
      }
      if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
      events.push(...podTransitions(pods.get(key), pod, clock));
      pods.set(key, pod);
    });
    watch(`/api/v1/namespaces/${namespace}/events`, (phase, object) => {
      const event = object as CoreV1Event;
      if (phase === 'DELETED') return;
      const key = `${event.metadata?.uid}/${event.count ?? 1}`;
      if (seenEvents.has(key)) return;
      seenEvents.add(key);
      // A new watch replays the namespace's recent history; keep only what happened while we watched.
      const when = eventTime(event);
      if (when !== undefined && when < startedAt - 1_000) return;
      const entry = warningEvent(event, clock);
      if (entry) events.push(entry);
    });
  }

  let metricsMissing = false;
  const lastSample = new Map<string, string>();
  const sampleMetrics = async () => {
    for (const namespace of options.namespaces) {
      try {
        const response = await kubeRequest(kc, `/apis/metrics.k8s.io/v1beta1/namespaces/${namespace}/pods`, { timeoutMs: 5_000 });
        if (response.status === 404 && !metricsMissing) {
          metricsMissing = true;
          const now = clock.now();
          events.push({ t: (now - clock.t0) / 1000, at: new Date(now).toISOString(), kind: 'info', subject: 'metrics.k8s.io', detail: 'no metrics API on this cluster: pod CPU and memory not sampled' });
        }
        if (response.status !== 200) continue;
        for (const item of (JSON.parse(response.body) as PodMetrics).items ?? []) {
          const name = `${item.metadata?.namespace ?? namespace}/${item.metadata?.name ?? '?'}`;
          // metrics-server refreshes on its own period; record each window once.
          if (!item.timestamp || lastSample.get(name) === item.timestamp) continue;
          const pod = pods.get(name);
          // Until the pod watch has delivered the pod its limits are unknown: take this window next time.
          if (!pod) continue;
          lastSample.set(name, item.timestamp);
          const sample = podMetricsSample(item, name, pod, clock.t0);
          if (sample) resources.push(sample);
        }
      } catch {
        // One missed sample is not worth failing a measurement over.
      }
    }
    if (!stopped) later(() => void sampleMetrics(), options.metricsIntervalMs ?? 5_000);
  };
  void sampleMetrics();

  return {
    events: () => [...events].sort((a, b) => a.t - b.t),
    resources: () => [...resources],
    async stop() {
      stopped = true;
      for (const t of timers) t.clear();
      timers.clear();
      for (const a of aborts) a.abort();
      aborts.clear();
    },
  };
}
