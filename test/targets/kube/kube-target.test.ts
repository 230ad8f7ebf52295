/**
 * The kube target against a FAKE Kubernetes API server (fake-kube-api.ts): real HTTP, real
 * @kubernetes/client-node calls, a simulated scheduler. It checks what fogbench asks of the
 * API and how it reads the answers; it does not claim that anything ran on a cluster.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deployment as DeploymentModel } from 'kubernetes-models/apps/v1/Deployment';
import { Service as ServiceModel } from 'kubernetes-models/v1/Service';
import { parseClusterConfig } from '../../../clusters/config.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { createKubeTarget } from '../../../harness/targets/kube/kube-target.ts';
import type { ImageJob } from '../../../harness/targets/kube/images.ts';
import { unknownFields } from '../../../harness/targets/kube/strict-fields.ts';
import type { Endpoint, UnitSpec } from '../../../harness/targets/target.ts';
import { FakeKubeApi } from './fake-kube-api.ts';
import { readFileSync } from 'node:fs';

const config = parseClusterConfig(readFileSync(new URL('../../../clusters/sizes.yaml', import.meta.url), 'utf8'));
const ROUTE = ['get', 'filterTemperature', 'computeAverage', 'display'];

let dir: string;
let api: FakeKubeApi;
let server: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fogbench-kube-'));
  api = new FakeKubeApi([
    { name: 'c1-server', role: 'core', address: '192.168.56.10' },
    { name: 'c1-agent-1', role: 'worker', address: '192.168.56.11', clockAheadMs: -40 },
    { name: 'c1-agent-2', role: 'worker', address: '192.168.56.12', clockAheadMs: 250 },
  ]);
  server = await api.start();
});

afterEach(async () => {
  await api.stop();
  await rm(dir, { recursive: true, force: true });
});

async function writeKubeconfig(text: string): Promise<string> {
  const file = join(dir, 'kubeconfig.yaml');
  await writeFile(file, text);
  return file;
}

async function units(): Promise<UnitSpec[]> {
  const specs: UnitSpec[] = [];
  for (const [i, name] of ROUTE.entries()) {
    const artifactDir = join(dir, 'build', name);
    await mkdir(artifactDir, { recursive: true });
    await writeFile(join(artifactDir, 'Dockerfile'), 'FROM node:20-alpine\nCOPY . /app\nWORKDIR /app\n');
    await writeFile(join(artifactDir, 'service.mjs'), `// ${name}\n`);
    specs.push({
      name,
      placement: { role: 'worker', index: i },
      artifactDir,
      command: 'node',
      args: ['service.mjs'],
      port: 8080,
      healthPath: '/healthz',
      env: (endpoints: ReadonlyMap<string, Endpoint>) => ({
        FOGBENCH_SERVICE: name,
        FOGBENCH_NODE: 'placeholder',
        FOGBENCH_SERVICE_TABLE: JSON.stringify(Object.fromEntries(endpoints)),
      }),
    });
  }
  return specs;
}

/** Stands in for the image build (no container engine here); records what would be built. */
function recordingImages(jobs: ImageJob[][]) {
  return async (j: readonly ImageJob[]) => {
    jobs.push([...j]);
    return 'recorded by the test (no build)';
  };
}

describe('kube target against a fake API server', () => {
  it('applies one Deployment and Service per unit server-side, spreads successive units over workers, follows logs, measures clocks, cleans up', async () => {
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const jobs: ImageJob[][] = [];
    const target = createKubeTarget({ kubeconfig, clusterConfig: config, runId: 'run-1', clockSamples: 4 }, { provideImages: recordingImages(jobs) });
    await target.prepare();
    const lines: string[] = [];
    const specs = await units();
    const deployment = await target.deploy(specs, { readyTimeoutMs: 10_000, onLine: (unit, line) => lines.push(`${unit}:${line}`) });

    // Server-side apply, with our field manager, for every object.
    const applies = api.requests.filter((r) => r.method === 'PATCH');
    expect(applies.length).toBe(1 + 2 * ROUTE.length);
    for (const r of applies) {
      expect(r.contentType).toBe('application/apply-patch+yaml');
      expect(r.query.get('fieldManager')).toBe('fogbench');
      expect(r.query.get('force')).toBe('true');
    }

    // Every manifest sent is valid for kubernetes-models and has no field Kubernetes does not know.
    for (const r of applies) {
      const manifest = JSON.parse(r.body);
      if (manifest.kind === 'Deployment') new DeploymentModel(manifest).validate();
      if (manifest.kind === 'Service') new ServiceModel(manifest).validate();
      expect(unknownFields(manifest, `V1${manifest.kind}`)).toEqual([]);
    }

    // Names are DNS labels; images are content-tagged, never latest, and not pulled.
    const filter = api.objects.get('fogbench/Deployment/filter-temperature');
    expect(filter).toBeDefined();
    const container = filter!.spec.template.spec.containers[0];
    expect(container.image).toMatch(/^fogbench\/filter-temperature:[0-9a-f]{12}$/);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080 });
    expect(container.resources.limits).toEqual({ cpu: '1', memory: String(512 * 2 ** 20) });
    expect(jobs[0]!.map((j) => j.unit)).toEqual(['get', 'filter-temperature', 'compute-average', 'display']);

    // The service table carries Service DNS names keyed by route name; the node comes from the downward API.
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(JSON.parse(env.FOGBENCH_SERVICE_TABLE)).toMatchObject({
      computeAverage: { host: 'compute-average.fogbench.svc.cluster.local', port: 8080 },
    });
    expect(env.FOGBENCH_HOST).toBe('0.0.0.0');
    expect(container.env.find((e: { name: string }) => e.name === 'FOGBENCH_NODE').valueFrom.fieldRef.fieldPath).toBe('spec.nodeName');

    // Successive services on different worker nodes.
    const nodes = ROUTE.map((u) => deployment.placement.get(u));
    expect(nodes).toEqual(['c1-agent-1', 'c1-agent-2', 'c1-agent-1', 'c1-agent-2']);
    for (let i = 1; i < nodes.length; i++) expect(nodes[i]).not.toBe(nodes[i - 1]);

    // The client reaches each unit through its node's address and the Service's NodePort.
    const entry = deployment.endpoints.get('get')!;
    expect(entry.host).toBe('192.168.56.11');
    expect(entry.port).toBeGreaterThanOrEqual(30100);

    // Spans come from pod logs, one line at a time, across a container restart without repeats.
    const pod = api.podsOf('get')[0]!.metadata.name;
    api.log(pod, '{"span":1}');
    await expect.poll(() => lines).toContain('get:{"span":1}');
    api.endLogStreams(pod);
    api.log(pod, '{"span":2}');
    await expect.poll(() => lines, { timeout: 5_000 }).toContain('get:{"span":2}');
    expect(lines.filter((l) => l === 'get:{"span":1}')).toHaveLength(1);

    // Clock offsets were measured per node through probe pods, and the probes removed.
    const offsets = target.describe().details.clockOffsets as { node: string; offsetMs: number; uncertaintyMs: number }[];
    const agent2 = offsets.find((o) => o.node === 'c1-agent-2')!;
    expect(Math.abs(agent2.offsetMs - 250)).toBeLessThanOrEqual(agent2.uncertaintyMs + 5);
    const agent1 = offsets.find((o) => o.node === 'c1-agent-1')!;
    expect(Math.abs(agent1.offsetMs + 40)).toBeLessThanOrEqual(agent1.uncertaintyMs + 5);
    expect([...api.pods.keys()].some((k) => k.includes('fogbench-clock-'))).toBe(false);

    await deployment.stop();
    expect(await deployment.units[0]!.exited).toEqual({ code: null, signal: 'SIGTERM' });
    expect(api.objects.has('fogbench/Deployment/get')).toBe(false);
    expect(api.objects.has('/Namespace/fogbench')).toBe(true);
    await target.dispose();
    expect(api.objects.has('fogbench/Service/display')).toBe(false);
    expect(api.objects.has('/Namespace/fogbench')).toBe(false);
    await target.dispose(); // safe twice
  });

  it('keeps everything with keep: true', async () => {
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const target = createKubeTarget({ kubeconfig, clusterConfig: config, keep: true, clockSamples: 1 }, { provideImages: recordingImages([]) });
    await target.prepare();
    await target.deploy(await units(), { readyTimeoutMs: 10_000, onLine: () => {} });
    await target.dispose();
    expect(api.objects.has('fogbench/Deployment/display')).toBe(true);
    expect(api.objects.has('/Namespace/fogbench')).toBe(true);
  });

  it('turns pod restarts, OOM kills, readiness flips and warning events into timestamped events', async () => {
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const target = createKubeTarget({ kubeconfig, clusterConfig: config, clockSamples: 1 }, { provideImages: recordingImages([]) });
    await target.prepare();
    const deployment = await target.deploy(await units(), { readyTimeoutMs: 10_000, onLine: () => {} });
    const t0 = Date.now();
    const observer = target.observe(deployment, t0);
    await new Promise((r) => setTimeout(r, 300)); // watches open and see the pods as they are
    const pod = api.podsOf('compute-average')[0]!.metadata.name;
    api.updatePod(pod, (p) => {
      p.status.containerStatuses[0].restartCount = 1;
      p.status.containerStatuses[0].lastState = { terminated: { reason: 'OOMKilled', exitCode: 137 } };
      p.status.conditions = [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }];
    });
    api.emitEvent('fogbench', {
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', namespace: 'fogbench', name: pod },
      lastTimestamp: new Date().toISOString(),
      source: { host: 'c1-agent-1' },
    });
    api.emitEvent('fogbench', { type: 'Normal', reason: 'Pulled', message: 'ignored', involvedObject: { name: pod }, lastTimestamp: new Date().toISOString() });
    await expect.poll(() => observer.events().length, { timeout: 5_000 }).toBeGreaterThanOrEqual(4);
    const events = observer.events();
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['oom-kill', 'restart', 'not-ready', 'info']));
    const oom = events.find((e) => e.kind === 'oom-kill')!;
    expect(oom.subject).toBe(`fogbench/${pod}`);
    expect(oom.node).toBe('c1-agent-1');
    expect(oom.t).toBeGreaterThanOrEqual(0);
    expect(events.find((e) => e.kind === 'info' && e.subject.endsWith(pod))!.detail).toMatch(/^BackOff: Back-off/);
    expect(events.some((e) => e.detail.includes('ignored'))).toBe(false);
    expect(events.find((e) => e.kind === 'info' && e.subject === 'metrics.k8s.io')?.detail).toMatch(/no metrics API/);
    await observer.stop();
    await target.dispose();
  });
});

describe('kube target hooks for the OpenFaaS system (fake API server)', () => {
  it('finds the gateway NodePort on the core node, reads the credentials, lists the workers', async () => {
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const target = createKubeTarget({ kubeconfig, clusterConfig: config });
    await target.prepare();
    await expect(target.openFaaS()).rejects.toThrow(/no OpenFaaS \(CRD profiles\.openfaas\.com missing\)/);
    api.put('', 'CustomResourceDefinition', 'profiles.openfaas.com', {});
    api.put('openfaas', 'Deployment', 'gateway', { status: { readyReplicas: 1 } });
    api.put('openfaas', 'Service', 'gateway-external', { spec: { type: 'NodePort', ports: [{ port: 8080, nodePort: 31112 }] } });
    api.put('openfaas', 'Secret', 'basic-auth', { data: { 'basic-auth-user': Buffer.from('admin').toString('base64'), 'basic-auth-password': Buffer.from('s3cret').toString('base64') } });
    const openfaas = await target.openFaaS();
    // Only the URL is checked: nothing is sent to the (non-existent) node address.
    expect(openfaas.gatewayUrl).toBe('http://192.168.56.10:31112');
    expect(openfaas.workers).toEqual(['c1-agent-1', 'c1-agent-2']);
    expect(openfaas.core).toEqual(['c1-server']);
    expect(JSON.stringify(openfaas.gateway)).toBe('{"url":"http://192.168.56.10:31112","user":"admin","namespace":"openfaas-fn"}');
    await target.dispose();
  });
});

describe('kube target resource samples (fake metrics API)', () => {
  it('records pod CPU and memory against their limits', async () => {
    api.podMetrics = { cpu: '250000000n', memory: '52428800' };
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const target = createKubeTarget({ kubeconfig, clusterConfig: config, clockSamples: 1, metricsIntervalMs: 100 }, { provideImages: recordingImages([]) });
    await target.prepare();
    const deployment = await target.deploy(await units(), { readyTimeoutMs: 10_000, onLine: () => {} });
    const observer = target.observe(deployment, Date.now() - 2_000);
    await expect.poll(() => observer.resources().length, { timeout: 5_000 }).toBeGreaterThanOrEqual(ROUTE.length);
    const sample = observer.resources().find((r) => r.node.startsWith('fogbench/display-'))!;
    expect(sample).toMatchObject({ cpu: 0.25, cpuLimit: 1, memoryBytes: 52428800, memoryLimitBytes: 512 * 2 ** 20 });
    expect(sample.t).toBeGreaterThanOrEqual(1);
    await observer.stop();
    await target.dispose();
  });
});

describe('kube target bad input', () => {
  const failure = async (options: Parameters<typeof createKubeTarget>[0]) => {
    const target = createKubeTarget({ clusterConfig: config, ...options });
    const error = await target.prepare().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    const message = (error as FogbenchError).message;
    expect(message).not.toContain('\n');
    return error as FogbenchError;
  };

  it('says the API server is unreachable', async () => {
    await api.stop();
    const error = await failure({ kubeconfig: await writeKubeconfig(api.kubeconfig(server)) });
    expect(error.code).toBe('environment');
    expect(error.message).toMatch(/cannot reach the API server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is the cluster up\?/);
  });

  it('says the credentials were rejected (expired or invalid)', async () => {
    const error = await failure({ kubeconfig: await writeKubeconfig(api.kubeconfig(server, 'expired-token')) });
    expect(error.code).toBe('environment');
    expect(error.message).toMatch(/rejected the kubeconfig's credentials \(expired or invalid\); fetch a fresh kubeconfig/);
  });

  it('says the kubeconfig file is missing or not a kubeconfig', async () => {
    let error = await failure({ kubeconfig: join(dir, 'missing.yaml') });
    expect(error.code).toBe('usage');
    expect(error.message).toMatch(/cannot load .*missing\.yaml.*pass --kubeconfig FILE/);
    error = await failure({ kubeconfig: await writeKubeconfig('clusters: [oops\n') });
    expect(error.code).toBe('usage');
  });

  it('asks for --kubeconfig when there is none at all', async () => {
    const saved = { HOME: process.env.HOME, KUBECONFIG: process.env.KUBECONFIG };
    process.env.HOME = dir;
    delete process.env.KUBECONFIG;
    try {
      const error = await failure({});
      expect(error.message).toBe('no kubeconfig found (KUBECONFIG unset, no ~/.kube/config): pass --kubeconfig FILE');
    } finally {
      process.env.HOME = saved.HOME;
      if (saved.KUBECONFIG !== undefined) process.env.KUBECONFIG = saved.KUBECONFIG;
    }
  });

  it('names the contexts a kubeconfig has when --context is wrong', async () => {
    const error = await failure({ kubeconfig: await writeKubeconfig(api.kubeconfig(server)), context: 'prod' });
    expect(error.message).toBe(`context "prod" is not in ${join(dir, 'kubeconfig.yaml')} (it has: fake); fix --context`);
  });

  it('asks for --registry on a cluster fogbench cannot reach by SSH', async () => {
    const kubeconfig = await writeKubeconfig(api.kubeconfig(server));
    const target = createKubeTarget({ kubeconfig, clusterConfig: config }, { run: async () => ({ stdout: '', stderr: 'Cannot connect to the Docker daemon', exitCode: 1 }) });
    await target.prepare();
    const error = await target.deploy(await units(), { readyTimeoutMs: 1_000, onLine: () => {} }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/cannot copy images onto its nodes: pass --registry/);
    await target.dispose();
  });
});
