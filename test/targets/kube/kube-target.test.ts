/**
 * The kube target against a REAL control plane (control-plane.ts): etcd, kube-apiserver,
 * kube-scheduler and kube-controller-manager built from Kubernetes v1.37.2, and kwok nodes
 * labelled as `cluster up` labels K3s nodes. Server-side apply, strict field validation,
 * scheduling by the labels and affinity fogbench sets, Deployments becoming pods, readiness,
 * watches, garbage collection and authentication are all the real components'. What is not
 * real: no container runs (kwok marks pods Ready), so images are recorded instead of built,
 * spans (pod logs) are not followed, and clock probes are off.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseClusterConfig, type ClusterConfig } from '../../../clusters/config.ts';
import { registryObjects } from '../../../clusters/registry.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { serverSideApply } from '../../../harness/targets/kube/apply.ts';
import type { ImageDestination, ImageJob } from '../../../harness/targets/kube/images.ts';
import { createKubeTarget, type KubeTargetOptions } from '../../../harness/targets/kube/kube-target.ts';
import type { Endpoint, UnitSpec } from '../../../harness/targets/target.ts';
import { controlPlaneUnavailable, startControlPlane, type ControlPlane } from './control-plane.ts';

const config = parseClusterConfig(readFileSync(new URL('../../../clusters/sizes.yaml', import.meta.url), 'utf8'));
const ROUTE = ['get', 'filterTemperature', 'computeAverage', 'display'];
/** The cluster registry's address as the ConfigMap publishes it; nothing is sent there (images are recorded). */
const REGISTRY = '192.168.56.10:5000';

const unavailable = controlPlaneUnavailable();
if (unavailable) console.warn(`skipping the real-control-plane tests: ${unavailable}`);

let cp: ControlPlane;
let kc: KubeConfig;
let dir: string;

beforeAll(async () => {
  if (unavailable) return;
  dir = await mkdtemp(join(tmpdir(), 'fogbench-kube-'));
  cp = await startControlPlane();
  kc = cp.kubeConfig();
  await cp.addNodes([
    // A dedicated K3s server (2 vCPU, tainted) and three t2.small agents.
    { name: 'c1-server', role: 'core', cpu: '2', memory: '3927156Ki', tainted: true },
    { name: 'c1-agent-1', role: 'worker' },
    { name: 'c1-agent-2', role: 'worker' },
    { name: 'c1-agent-3', role: 'worker' },
  ]);
  // The cluster's own registry, as K3s applies it from its manifests folder on a fogbench cluster.
  for (const object of registryObjects(REGISTRY)) await serverSideApply(kc, object as never);
}, 120_000);

afterAll(async () => {
  await cp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function units(cfg: { memoryLimitBytes?: number } = {}): Promise<UnitSpec[]> {
  const specs: UnitSpec[] = [];
  for (const [i, name] of ROUTE.entries()) {
    const artifactDir = join(dir, 'build', name);
    await mkdir(artifactDir, { recursive: true });
    await writeFile(join(artifactDir, 'Dockerfile'), 'FROM node:20-alpine\nCOPY index.mjs /app/\nCMD ["node", "/app/index.mjs"]\n');
    await writeFile(join(artifactDir, 'index.mjs'), `// ${name}\n`);
    specs.push({
      name,
      placement: { role: 'worker', index: i },
      artifactDir,
      // What the p2p system passes: node on THIS machine; the pod must not use it.
      command: process.execPath,
      args: ['index.mjs'],
      port: 8080,
      healthPath: '/healthz',
      probes: { readiness: { path: '/healthz', port: 8080, initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } },
      env: (endpoints: ReadonlyMap<string, Endpoint>) => ({ FOGBENCH_SERVICE: name, FOGBENCH_SERVICE_TABLE: JSON.stringify(Object.fromEntries(endpoints)) }),
      ...(cfg.memoryLimitBytes ? { memoryLimitBytes: cfg.memoryLimitBytes } : {}),
    });
  }
  return specs;
}

/** Stands in for building and pushing (no container engine here); records where images would go. */
function recordingImages(seen: { jobs: ImageJob[]; destination?: ImageDestination }[]) {
  return async (jobs: readonly ImageJob[], destination: ImageDestination) => {
    seen.push({ jobs: [...jobs], destination });
    return 'recorded by the test (no build)';
  };
}

const target = (namespace: string, extra: Partial<KubeTargetOptions> = {}, seen: { jobs: ImageJob[]; destination?: ImageDestination }[] = [], cfg: ClusterConfig = config) =>
  createKubeTarget({ kubeconfig: join(dir, 'kubeconfig.yaml'), clusterConfig: cfg, namespace, runId: 'run-1', clockSamples: 0, ...extra }, { provideImages: recordingImages(seen) });

async function writeKubeconfig(token?: string): Promise<string> {
  const file = join(dir, token ? 'bad-kubeconfig.yaml' : 'kubeconfig.yaml');
  await writeFile(file, cp.kubeconfig(token));
  return file;
}

async function until<T>(what: string, get: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await get();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}; ${JSON.stringify(cp.logs()).slice(-2000)}`);
}

const podsIn = async (namespace: string): Promise<V1Pod[]> => (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;

describe.skipIf(unavailable !== null)('kube target on a real control plane (etcd, kube-apiserver, scheduler, controller-manager, kwok nodes)', () => {
  it('deploys p2p with server-side apply; the real scheduler places each pod on the node the harness pinned; readiness is waited for; re-apply changes nothing; teardown deletes everything', { timeout: 120_000 }, async () => {
    await writeKubeconfig();
    const seen: { jobs: ImageJob[]; destination?: ImageDestination }[] = [];
    const t = target('fb-deploy', {}, seen);
    await t.prepare();
    const specs = await units();
    const deployment = await t.deploy(specs, { readyTimeoutMs: 60_000, onLine: () => {} });

    // Images go to the cluster's own registry, found through its ConfigMap.
    expect(seen[0]!.destination).toEqual({ registry: REGISTRY, kind: 'cluster' });
    expect(seen[0]!.jobs.map((j) => j.ref.replace(/:[0-9a-f]{12}$/, ''))).toEqual(ROUTE.map((n) => `${REGISTRY}/fogbench-${n.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`));

    // Server-side apply, by field manager fogbench, as the API server recorded it.
    const apps = kc.makeApiClient(AppsV1Api);
    const filter = await apps.readNamespacedDeployment({ name: 'filter-temperature', namespace: 'fb-deploy' });
    expect(filter.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toContainEqual(['fogbench', 'Apply']);
    const container = filter.spec!.template.spec!.containers[0]!;
    expect(container.command).toBeUndefined(); // the image's CMD runs, not this machine's node path
    expect(container.image).toMatch(new RegExp(`^${REGISTRY}/fogbench-filter-temperature:[0-9a-f]{12}$`));
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: String(128 * 2 ** 20) }, limits: { cpu: '1', memory: String(512 * 2 ** 20) } });
    expect(container.readinessProbe?.httpGet?.path).toBe('/healthz');

    // The real scheduler put successive services on different agents, never on the tainted server.
    const pods = await podsIn('fb-deploy');
    const nodeOf = (unit: string) => pods.find((p) => p.metadata?.labels?.['fogbench.io/unit'] === unit)?.spec?.nodeName;
    expect(['get', 'filter-temperature', 'compute-average', 'display'].map(nodeOf)).toEqual(['c1-agent-1', 'c1-agent-2', 'c1-agent-3', 'c1-agent-1']);
    expect(ROUTE.map((u) => deployment.placement.get(u))).toEqual(['c1-agent-1', 'c1-agent-2', 'c1-agent-3', 'c1-agent-1']);
    // Ready when deploy() returned, and recorded as observed in the target's description (the run manifest).
    for (const p of pods) expect(p.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect((t.describe().details.observedPlacement as { units: Record<string, string> }).units).toEqual({
      get: 'c1-agent-1', filterTemperature: 'c1-agent-2', computeAverage: 'c1-agent-3', display: 'c1-agent-1',
    });

    // The client reaches the entry through its node's address and the NodePort the server allocated.
    const entry = deployment.endpoints.get('get')!;
    const service = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'get', namespace: 'fb-deploy' });
    expect(entry).toEqual({ host: '127.0.0.1', port: service.spec!.ports![0]!.nodePort });
    const env = Object.fromEntries(container.env!.map((e) => [e.name, e.value]));
    expect(JSON.parse(env.FOGBENCH_SERVICE_TABLE!)).toMatchObject({ computeAverage: { host: 'compute-average.fb-deploy.svc.cluster.local', port: 8080 } });

    // Re-apply: same objects, no new generation, no new pod, same NodePort.
    const uids = pods.map((p) => p.metadata?.uid).sort();
    await t.deploy(specs, { readyTimeoutMs: 60_000, onLine: () => {} });
    expect((await apps.readNamespacedDeployment({ name: 'filter-temperature', namespace: 'fb-deploy' })).metadata?.generation).toBe(filter.metadata?.generation);
    expect((await podsIn('fb-deploy')).map((p) => p.metadata?.uid).sort()).toEqual(uids);
    expect((await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: 'get', namespace: 'fb-deploy' })).spec!.ports![0]!.nodePort).toBe(entry.port);

    // Teardown: stop() removes the units (the garbage collector takes their pods), dispose() the namespace.
    await deployment.stop();
    expect(await deployment.units[0]!.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect((await apps.listNamespacedDeployment({ namespace: 'fb-deploy' })).items).toEqual([]);
    await until('pods deleted', () => podsIn('fb-deploy'), (list) => list.length === 0);
    await t.dispose();
    await until(
      'namespace fb-deploy deleted',
      () => kc.makeApiClient(CoreV1Api).readNamespace({ name: 'fb-deploy' }).then(() => 'present', (e: { code?: number }) => (e.code === 404 ? 'gone' : 'error')),
      (state) => state === 'gone',
      60_000,
    );
    await t.dispose(); // safe twice
  });

  it('watches pods and events: restarts, OOM kills, readiness flips, deletions and Warning events become timestamped events', { timeout: 90_000 }, async () => {
    await writeKubeconfig();
    const t = target('fb-watch');
    await t.prepare();
    const deployment = await t.deploy(await units(), { readyTimeoutMs: 60_000, onLine: () => {} });
    const observer = t.observe(deployment, Date.now());
    const core = kc.makeApiClient(CoreV1Api);
    try {
    // A deleted pod: the ReplicaSet controller makes another, which the scheduler places again.
    // Its DELETED event also proves the pod watch has delivered every pod as it was (a watch is ordered).
    const victim = (await podsIn('fb-watch')).find((p) => p.metadata?.labels?.['fogbench.io/unit'] === 'display')!;
    await core.deleteNamespacedPod({ name: victim.metadata!.name!, namespace: 'fb-watch' });
    await until('the deletion seen', async () => observer.events(), (e) => e.some((x) => x.kind === 'exit'));
    const pod = (await podsIn('fb-watch')).find((p) => p.metadata?.labels?.['fogbench.io/unit'] === 'compute-average')!;
    // What a kubelet would report after an OOM kill: written to the real status subresource.
    pod.status!.containerStatuses![0]!.restartCount = 1;
    pod.status!.containerStatuses![0]!.lastState = { terminated: { reason: 'OOMKilled', exitCode: 137 } };
    pod.status!.conditions = pod.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', reason: 'ContainersNotReady' } : c));
    await core.replaceNamespacedPodStatus({ name: pod.metadata!.name!, namespace: 'fb-watch', body: pod });
    await core.createNamespacedEvent({
      namespace: 'fb-watch',
      body: {
        metadata: { name: `${pod.metadata!.name}.backoff`, namespace: 'fb-watch' },
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        involvedObject: { kind: 'Pod', namespace: 'fb-watch', name: pod.metadata!.name! },
        lastTimestamp: new Date(),
        source: { host: 'c1-agent-3' },
      },
    });
    const events = await until(
      'events',
      async () => observer.events(),
      (e) => ['oom-kill', 'restart', 'not-ready', 'exit'].every((k) => e.some((x) => x.kind === k)) && e.some((x) => x.detail.startsWith('BackOff:')),
    );
    const oom = events.find((e) => e.kind === 'oom-kill')!;
    expect(oom).toMatchObject({ subject: `fb-watch/${pod.metadata!.name}`, node: 'c1-agent-3' });
    expect(oom.t).toBeGreaterThanOrEqual(0);
    expect(events.find((e) => e.kind === 'info' && e.subject.endsWith(pod.metadata!.name!))!.detail).toBe('BackOff: Back-off restarting failed container');
    expect(events.find((e) => e.kind === 'exit')!.subject).toBe(`fb-watch/${victim.metadata!.name}`);
    // No metrics-server here: said once, as an info event.
    expect(events.find((e) => e.subject === 'metrics.k8s.io')?.detail).toMatch(/no metrics API/);
    } finally {
      await observer.stop();
      await deployment.stop();
      await t.dispose();
      await until('pods deleted', () => podsIn('fb-watch'), (list) => list.length === 0);
    }
  });

  it('refuses a plan that does not fit, before anything is applied, naming the node and what to change', { timeout: 60_000 }, async () => {
    await writeKubeconfig();
    const heavy = { ...config, units: { ...config.units, cpuRequest: '600m' } };
    const t = target('fb-fit', {}, [], heavy);
    await t.prepare();
    const error = await t.deploy(await units(), { readyTimeoutMs: 10_000, onLine: () => {} }).then(() => undefined, (e: unknown) => e as FogbenchError);
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.message).not.toContain('\n');
    expect(error!.message).toMatch(/^the plan does not fit the cluster: p2p unit display requests 600m CPU and 128 MiB, but c1-agent-1 has 400m of 1000m CPU and \d+ of \d+ MiB free; lower units\.cpuRequest/);
    expect((await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace: 'fb-fit' })).items).toEqual([]);
    await t.dispose();
  });

  it('gives the one-line 401 error for a wrong token', async () => {
    const kubeconfig = await writeKubeconfig('not-the-token');
    const error = await createKubeTarget({ kubeconfig, clusterConfig: config }).prepare().then(() => undefined, (e: unknown) => e as FogbenchError);
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.code).toBe('environment');
    expect(error!.message).toBe(`the API server at ${cp.server} rejected the kubeconfig's credentials (expired or invalid); fetch a fresh kubeconfig`);
  });

  it('the real API server refuses an unknown field (strict field validation on server-side apply)', async () => {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'fb-strict' } } });
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'typo', namespace: 'fb-strict' },
      spec: {
        selector: { matchLabels: { app: 'typo' } },
        template: { metadata: { labels: { app: 'typo' } }, spec: { containers: [{ name: 'c', image: 'x:1', imagePullPolicey: 'Always' }] } },
      },
    };
    const error = await serverSideApply(kc, manifest as never).then(() => undefined, (e: unknown) => e as FogbenchError);
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.message).not.toContain('\n');
    // kube-apiserver v1.37.2 answers 500 here: server-side apply cannot even build the typed patch.
    expect(error!.message).toMatch(/^applying Deployment fb-strict\/typo failed: HTTP 500: failed to create typed patch object \(fb-strict\/typo; apps\/v1, Kind=Deployment\): \.spec\.template\.spec\.containers\[name="c"\]\.imagePullPolicey: field not declared in schema$/);
    const fixed = JSON.parse(JSON.stringify(manifest).replace('imagePullPolicey', 'imagePullPolicy'));
    await expect(serverSideApply(kc, fixed)).resolves.toMatchObject({ metadata: { name: 'typo' } });
  });

  it('the cluster registry manifest passes strict validation, and its pod lands on the tainted core node', { timeout: 60_000 }, async () => {
    const pods = await until('the registry pod Ready', () => podsIn('fogbench-registry'), (list) => list.some((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')));
    expect(pods[0]!.spec?.nodeName).toBe('c1-server');
    expect(pods[0]!.spec?.hostNetwork).toBe(true);
  });

  it('says what to do on a cluster that serves no registry and was given no --registry', async () => {
    await writeKubeconfig();
    const core = kc.makeApiClient(CoreV1Api);
    await core.deleteNamespacedConfigMap({ name: 'fogbench-registry', namespace: 'fogbench-registry' });
    try {
      const t = target('fb-noreg');
      await t.prepare();
      const error = await t.deploy(await units(), { readyTimeoutMs: 10_000, onLine: () => {} }).then(() => undefined, (e: unknown) => e as FogbenchError);
      expect(error!.message).toMatch(/^this cluster serves no image registry \(no ConfigMap fogbench-registry\/fogbench-registry\): make the cluster with `npm run cluster -- up`.* or pass --registry REGISTRY/);
      // With --registry, images go there (docker push; the registry must allow anonymous pulls).
      const seen: { jobs: ImageJob[]; destination?: ImageDestination }[] = [];
      const withRegistry = target('fb-noreg', { registry: 'ghcr.io/me/' }, seen);
      await withRegistry.prepare();
      const d = await withRegistry.deploy(await units(), { readyTimeoutMs: 60_000, onLine: () => {} });
      expect(seen[0]!.destination).toEqual({ registry: 'ghcr.io/me', kind: 'user' });
      await d.stop();
      await withRegistry.dispose();
      await t.dispose();
    } finally {
      for (const object of registryObjects(REGISTRY)) await serverSideApply(kc, object as never);
    }
  });
});
