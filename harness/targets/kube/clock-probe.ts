/**
 * Runs one clock probe pod per node, asks each for its time through the API server's pod
 * proxy, and removes the pods. The proxy adds latency but the round trip is measured, so the
 * estimate says how far off it may be.
 */
import type { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import { CLOCK_PROBE_PORT, clockProbeName, clockProbePod, estimateOffset, type ClockOffset, type ClockSample } from './clock.ts';
import { kubeRequest } from './connection.ts';

export interface ClockProbeOptions {
  namespace: string;
  nodes: readonly string[];
  image: string;
  samples: number;
  timeoutMs: number;
}

const nowMs = () => performance.timeOrigin + performance.now();

export async function measureClockOffsets(kc: KubeConfig, core: CoreV1Api, options: ClockProbeOptions): Promise<ClockOffset[]> {
  const { namespace, nodes, image } = options;
  const names = nodes.map(clockProbeName);
  try {
    for (const node of nodes) {
      await core.deleteNamespacedPod({ namespace, name: clockProbeName(node), gracePeriodSeconds: 0 }).catch(() => undefined);
      await core.createNamespacedPod({ namespace, body: clockProbePod(node, namespace, image) });
    }
    const deadline = Date.now() + options.timeoutMs;
    for (const name of names) {
      for (;;) {
        const pod = await core.readNamespacedPod({ namespace, name });
        if (pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
        if (Date.now() > deadline) throw deployError(`clock probe ${name} not Ready in time (${pod.status?.phase ?? 'unknown'})`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const offsets: ClockOffset[] = [];
    for (const [i, node] of nodes.entries()) {
      const samples: ClockSample[] = [];
      for (let s = 0; s < options.samples; s++) {
        const sentMs = nowMs();
        const response = await kubeRequest(kc, `/api/v1/namespaces/${namespace}/pods/${names[i]}:${CLOCK_PROBE_PORT}/proxy/`, { timeoutMs: 5_000 });
        const receivedMs = nowMs();
        if (response.status !== 200) throw deployError(`clock probe on ${node} answered ${response.status} through the API server proxy`);
        samples.push({ sentMs, receivedMs, remoteMs: Number((JSON.parse(response.body) as { now: number }).now) });
      }
      offsets.push(estimateOffset(node, samples));
    }
    return offsets;
  } finally {
    await Promise.all(names.map((name) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }).catch(() => undefined)));
  }
}
