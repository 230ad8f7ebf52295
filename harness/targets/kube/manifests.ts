/**
 * The Kubernetes objects for p2p units: a Namespace, and per unit a Deployment and a NodePort
 * Service. Pure: the same function feeds server-side apply, the validation tests and
 * `--dry-run` output. Names and labels are what the observer and dispose() select on.
 */
import type { V1Affinity, V1Deployment, V1EnvVar, V1Namespace, V1NodeAffinity, V1Service } from '@kubernetes/client-node';
import type { UnitResources } from '../../../clusters/config.ts';
import { CORE_TOLERATION } from '../../../clusters/registry.ts';
import type { Endpoint, HttpProbe, UnitSpec } from '../target.ts';
import { ROLE_LABEL } from './nodes.ts';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'fogbench' } as const;
export const UNIT_LABEL = 'fogbench.io/unit';
export { FIELD_MANAGER } from './apply.ts';
export const CONTAINER_NAME = 'unit';

export interface UnitPlacement {
  /** fogbench.io/role the pod must run on; null on clusters where no node carries the role. */
  role: 'core' | 'worker' | null;
  /** The one node chosen for the unit, or null to let the scheduler choose within the role. */
  node: string | null;
  /** Kubernetes names of the units placed just before and after this one: preferably never on the same node. */
  neighbours: string[];
}

export interface UnitManifestInput {
  unit: UnitSpec;
  namespace: string;
  image: string;
  placement: UnitPlacement;
  resources: UnitResources;
  /** In-cluster addresses (Service DNS names) of every unit: the service table. */
  serviceEndpoints: ReadonlyMap<string, Endpoint>;
  runId: string;
}

/**
 * Scenario function names are camelCase (filterTemperature); Kubernetes names are DNS labels.
 * The route keeps the scenario's name; the service table maps it to this one's DNS name.
 */
export function kubeName(unit: string): string {
  const name = unit.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`unit name "${unit}" cannot be a Kubernetes name`);
  return name;
}

export function namespaceManifest(namespace: string): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { ...MANAGED_BY } } };
}

/** The DNS name of a unit's Service: the route name resolves to it through the service table. */
export function serviceDnsName(unit: string, namespace: string, clusterDomain = 'cluster.local'): string {
  return `${unit}.${namespace}.svc.${clusterDomain}`;
}

export function unitLabels(unit: string, runId: string): Record<string, string> {
  return { ...MANAGED_BY, 'app.kubernetes.io/name': unit, 'app.kubernetes.io/part-of': 'fogbench', [UNIT_LABEL]: unit, 'fogbench.io/run': runId };
}

export function deploymentManifest(input: UnitManifestInput): V1Deployment {
  const { unit, namespace, image, placement, resources, serviceEndpoints, runId } = input;
  const name = kubeName(unit.name);
  const labels = unitLabels(name, runId);
  const memoryLimit = unit.memoryLimitBytes ?? resources.memoryLimitMiB * 2 ** 20;
  const memoryRequest = Math.min(resources.memoryRequestMiB * 2 ** 20, memoryLimit);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      // Never a second pod beside the old one while an image changes: a 1-vCPU agent has no room for it.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { [UNIT_LABEL]: name } },
      template: {
        metadata: { labels },
        spec: {
          // Service links would add a dozen variables per unit; the service table replaces them.
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 5,
          affinity: affinity(placement),
          // Core units may run on a dedicated K3s server, tainted so that nothing else does.
          ...(placement.role === 'core' ? { tolerations: [{ ...CORE_TOLERATION }] } : {}),
          containers: [
            {
              name: CONTAINER_NAME,
              image,
              // Content-tagged images: a tag never changes meaning, so a node's copy is the right one.
              imagePullPolicy: 'IfNotPresent',
              // No command or args: the image's own CMD starts the unit. unit.command is a path on
              // this machine (process.execPath, e.g. /usr/local/bin/node or ~/.nvm/...), which the
              // node:20-alpine image does not have; its Dockerfile says `CMD ["node", "<bundle>"]`.
              ports: [{ name: 'http', containerPort: unit.port, protocol: 'TCP' }],
              env: unitEnv(unit, serviceEndpoints),
              // The probes the unit declares: the fog target runs the same ones as a kubelet would.
              ...(unit.probes?.readiness ? { readinessProbe: probeManifest(unit.probes.readiness) } : { readinessProbe: probeManifest({ ...DEFAULT_READINESS, path: unit.healthPath, port: unit.port }) }),
              ...(unit.probes?.liveness ? { livenessProbe: probeManifest(unit.probes.liveness) } : {}),
              resources: {
                requests: { cpu: resources.cpuRequest, memory: String(memoryRequest) },
                limits: { cpu: resources.cpuLimit, memory: String(memoryLimit) },
              },
            },
          ],
        },
      },
    },
  };
}

/** NodePort so the load generator on the host can reach the entry unit on its own node. */
export function serviceManifest(unit: UnitSpec, namespace: string, runId: string): V1Service {
  const name = kubeName(unit.name);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: unitLabels(name, runId) },
    spec: {
      type: 'NodePort',
      // Local: traffic entering a node is served by the pod on that node, never forwarded to
      // another one, so the client's request does not gain a hop the other system lacks.
      externalTrafficPolicy: 'Local',
      selector: { [UNIT_LABEL]: name },
      ports: [{ name: 'http', port: unit.port, targetPort: unit.port, protocol: 'TCP' }],
    },
  };
}

function unitEnv(unit: UnitSpec, serviceEndpoints: ReadonlyMap<string, Endpoint>): V1EnvVar[] {
  const fromUnit = unit.env(serviceEndpoints);
  // The p2p runtime reads these; in a pod it must listen on every interface, on the unit's
  // port, and report the node the scheduler really chose.
  const overrides: Record<string, string> = { PORT: String(unit.port), FOGBENCH_HOST: '0.0.0.0' };
  const vars: V1EnvVar[] = Object.entries({ ...fromUnit, ...overrides })
    .filter(([name]) => name !== 'FOGBENCH_NODE')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  vars.push({ name: 'FOGBENCH_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  return vars;
}

function affinity(placement: UnitPlacement): V1Affinity {
  const matchExpressions = placement.role ? [{ key: ROLE_LABEL, operator: 'In', values: [placement.role] }] : [];
  const matchFields = placement.node ? [{ key: 'metadata.name', operator: 'In', values: [placement.node] }] : [];
  const nodeAffinity: V1NodeAffinity | undefined =
    matchExpressions.length || matchFields.length
      ? {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ ...(matchExpressions.length ? { matchExpressions } : {}), ...(matchFields.length ? { matchFields } : {}) }],
          },
        }
      : undefined;
  return {
    ...(nodeAffinity ? { nodeAffinity } : {}),
    ...(placement.neighbours.length
      ? {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  topologyKey: 'kubernetes.io/hostname',
                  labelSelector: { matchExpressions: [{ key: UNIT_LABEL, operator: 'In', values: [...placement.neighbours] }] },
                },
              },
            ],
          },
        }
      : {}),
  };
}

const DEFAULT_READINESS = { initialDelaySeconds: 0, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };

function probeManifest(probe: HttpProbe) {
  return {
    httpGet: { path: probe.path, port: probe.port },
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    successThreshold: probe.successThreshold,
    failureThreshold: probe.failureThreshold,
  };
}
