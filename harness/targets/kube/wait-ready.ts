/** Waits until every unit has a Ready pod, or says why not (image pull, crash loop, no room). */
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import type { DeployOptions, UnitSpec } from '../target.ts';
import { kubeName, UNIT_LABEL } from './manifests.ts';

export async function waitUnitsReady(core: CoreV1Api, namespace: string, units: readonly UnitSpec[], options: DeployOptions): Promise<Map<string, V1Pod>> {
  const deadline = Date.now() + options.readyTimeoutMs;
  const selector = `${UNIT_LABEL} in (${units.map((u) => kubeName(u.name)).join(',')})`;
  let latest: V1Pod[] = [];
  for (;;) {
    if (options.signal?.aborted) throw deployError('deployment interrupted');
    latest = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items.filter((pod) => !pod.metadata?.deletionTimestamp);
    const ready = new Map<string, V1Pod>();
    for (const pod of latest) {
      const unit = pod.metadata?.labels?.[UNIT_LABEL];
      if (unit && pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.set(unit, pod);
    }
    if (units.every((u) => ready.has(kubeName(u.name)))) return new Map(units.map((u) => [u.name, ready.get(kubeName(u.name)) as V1Pod]));
    if (Date.now() >= deadline) {
      const missing = units.filter((u) => !ready.has(kubeName(u.name))).map((u) => `${u.name} (${podProblem(latest.find((p) => p.metadata?.labels?.[UNIT_LABEL] === kubeName(u.name)))})`);
      throw deployError(`pods not Ready after ${Math.round(options.readyTimeoutMs / 1000)} s: ${missing.join(', ')}; see \`kubectl -n ${namespace} describe pods\``);
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

function podProblem(pod: V1Pod | undefined): string {
  if (!pod) return 'no pod created';
  const waiting = pod.status?.containerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  if (waiting?.reason) return waiting.reason;
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) return `unschedulable: ${unscheduled.message ?? unscheduled.reason ?? ''}`.trim();
  return pod.status?.phase ?? 'unknown';
}
