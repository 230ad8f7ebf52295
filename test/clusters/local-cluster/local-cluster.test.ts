/**
 * A REAL local cluster (`cluster up --provider local`): the control plane on this host, a
 * containerd, kubelet and kube-proxy per node inside the node's namespaces and quota group,
 * CoreDNS, metrics-server, the registry; OpenFaaS laid out as the chart lays it out. Both
 * systems are deployed by the kube target and must answer the same batch byte for byte; a
 * function's container is killed and the kubelet restarts it; then `down` must leave nothing:
 * no namespace, interface, cgroup, mount, process, owner record, iptables rule or kernel
 * setting changed, and no state folder. A second cluster is interrupted while it comes up and
 * must leave nothing either. Needs root and the built programs (scripts/build-kube-*.sh).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHostPrograms } from '../../../clusters/local-cluster/binaries.ts';
import { clusterLayout } from '../../../clusters/local-cluster/layout.ts';
import { localClusterDown } from '../../../clusters/local-cluster/local-down.ts';
import { localClusterUp } from '../../../clusters/local-cluster/local-up.ts';
import { installLocalOpenFaaS } from '../../../clusters/local-cluster/openfaas-install.ts';
import { commandRunner } from '../../../clusters/run-command.ts';
import { clusterDir, stateFiles, type ClusterState } from '../../../clusters/state.ts';
import { deploySystem } from '../../../harness/bench/deploy-system.ts';
import { loadScenarioSource } from '../../../harness/dataflow/compile.ts';
import { isSpan, type Span } from '../../../harness/dataflow/spans.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { openfaasSystem } from '../../../harness/openfaas/system.ts';
import { p2pSystem } from '../../../harness/systems/p2p.ts';
import { loadKubeconfig } from '../../../harness/targets/kube/connection.ts';
import { createKubeTarget } from '../../../harness/targets/kube/kube-target.ts';
import { listClusterNodes } from '../../../harness/targets/kube/nodes.ts';
import { parseFault } from '../../../harness/faults/spec.ts';
import { CONTROL_PLANE, LOCAL_CLUSTER, notBuilt } from '../../helpers/prerequisites.ts';
import { fogUnavailableReason } from '../../targets/local/fog-host.ts';
import { clusterObjects, hostSettings, NOTHING } from './host-leftovers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const searchPath = [...new Set([...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/sbin', '/sbin'])].join(':');

function unavailableReason(): string | null {
  const fog = fogUnavailableReason();
  if (fog) return fog;
  try {
    checkHostPrograms(searchPath);
  } catch (error) {
    return (error as Error).message;
  }
  // Built before the tests start (test/helpers/prerequisites.ts); Prometheus and alertmanager are fog's (scripts/setup.sh).
  return notBuilt(CONTROL_PLANE) ?? notBuilt(LOCAL_CLUSTER);
}

const unavailable = unavailableReason();
if (unavailable) console.warn(`skipping the local cluster tests: ${unavailable}`);

describe.skipIf(unavailable !== null)('a local cluster of real kubelets', () => {
  // Not under /tmp: each node sees its own /tmp (cluster up refuses a state folder there).
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  const stateRoot = mkdtempSync(join(ROOT, 'build', 'local-cluster-test-'));
  const ownerDir = join(stateRoot, 'owners');
  const progress = (message: string) => process.stderr.write(`  [local cluster] ${message}\n`);
  afterAll(() => rmSync(stateRoot, { recursive: true, force: true }));

  const up = (cluster: string, signal: AbortSignal) =>
    localClusterUp({ cluster, stateRoot, readyTimeoutMs: 300_000, ownerDir, searchPath, env: process.env, signal }, { run: commandRunner({}), progress });

  it('comes up with labelled, tainted, quota-sized nodes; runs both systems byte for byte; the kubelet restarts a killed function; down leaves nothing', async () => {
    const settings = hostSettings();
    let state: ClusterState | undefined;
    try {
      state = await up('fbtest', new AbortController().signal);
      const kubeconfig = stateFiles(clusterDir(stateRoot, 'fbtest')).kubeconfig;
      const kc = loadKubeconfig({ kubeconfig });
      const nodes = await listClusterNodes(kc);
      expect(nodes.map((n) => `${n.name}:${n.role}:${n.ready}`)).toEqual(['core:core:true', 'worker-1:worker:true', 'worker-2:worker:true', 'worker-3:worker:true']);
      expect(nodes.find((n) => n.name === 'core')?.openToAnyPod).toBe(false);
      for (const node of state.local!.nodes) expect(nodes.find((n) => n.name === node.name)?.allocatableCpus).toBeCloseTo(node.cpus!, 3);
      expect(hostSettings()).toEqual(settings);

      await installLocalOpenFaaS(kc, state, clusterDir(stateRoot, 'fbtest'), { searchPath, timeoutMs: 300_000, progress });
      const target = createKubeTarget({ kubeconfig, runId: 'local-cluster-test', clockSamples: 0, metricsIntervalMs: 2_000, progress });
      const spans: Span[] = [];
      const onLine = (_unit: string, line: string) => {
        if (!line.startsWith('{')) return;
        const value: unknown = JSON.parse(line);
        if (isSpan(value)) spans.push(value);
      };
      const buildDir = join(stateRoot, 'systems');
      try {
        await target.prepare();
        const capabilities = { ...target.capabilities, kind: target.kind };
        const source = await loadScenarioSource('scenarios/temperature.ts');
        const options = { hopTimeoutMs: 5_000, deadlineMs: 9_000, config: {}, replicas: 1 };
        const p2p = await deploySystem(target, await p2pSystem.plan(source, { ...options, buildDir: join(buildDir, 'p2p') }), { readyTimeoutMs: 300_000, onLine });
        const openfaasPlan = await openfaasSystem.plan(source, { ...options, buildDir: join(buildDir, 'openfaas') }, capabilities);
        expect(openfaasPlan.provenance).toMatchObject({ provider: { name: 'fogbench-kube-provider', orchestration: 'kubernetes' } });
        const openfaas = await deploySystem(target, openfaasPlan, { readyTimeoutMs: 300_000, onLine });

        const batch = readFileSync(join(ROOT, 'datasets', 'sample-batch.json'), 'utf8');
        const post = async (url: string) => {
          const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch });
          expect(response.status).toBe(200);
          return Buffer.from(await response.arrayBuffer());
        };
        const viaP2P = await post(`http://${p2p.entry.host}:${p2p.entry.port}/`);
        const viaGateway = await post(`http://${openfaas.entry.host}:${openfaas.entry.port}${openfaasPlan.path}`);
        expect(viaP2P.length).toBeGreaterThan(100);
        expect(viaGateway.equals(viaP2P)).toBe(true);
        // Spans come from the pods' logs, live.
        await waitFor(() => spans.some((s) => s.service === 'display') && spans.some((s) => s.service === 'orchestrator'), 30_000);
        // The gateway's counters, through the API server's pod proxy.
        expect(await openfaas.deployment.read!('gateway', 8082, '/metrics')).toContain('gateway_function_invocation_total');

        const observer = target.observe(openfaas.deployment, Date.now());
        const applied = await target.capabilities.faults!.apply(parseFault('kill:filter-temperature@0s'), openfaas.deployment);
        expect(applied).toMatchObject({ applied: true });
        await waitFor(() => observer.events().some((e) => e.kind === 'restart' && e.subject.includes('filter-temperature')), 60_000);
        await waitFor(() => observer.resources().some((r) => r.node.startsWith('openfaas-fn/')), 60_000);
        await observer.stop();
        await p2p.deployment.stop();
        await openfaas.deployment.stop();
      } finally {
        await target.dispose();
      }
    } finally {
      if (state) await localClusterDown(state, stateRoot, progress);
    }
    expect(clusterObjects(state!.local!.root, clusterDir(stateRoot, 'fbtest'), ownerDir)).toEqual(NOTHING);
    expect(existsSync(clusterDir(stateRoot, 'fbtest'))).toBe(false);
    expect(hostSettings()).toEqual(settings);
  }, 1_800_000);

  it('interrupted while it comes up, removes everything it made', async () => {
    const abort = new AbortController();
    const layout = clusterLayout(clusterDir(stateRoot, 'fbstop'));
    const watch = setInterval(() => {
      if (existsSync(layout.daemonLog) && readFileSync(layout.daemonLog, 'utf8').includes('kube-apiserver ready')) abort.abort();
    }, 100);
    const error = await up('fbstop', abort.signal).then(() => null, (e: unknown) => e);
    clearInterval(watch);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('interrupted');
    const root = (JSON.parse(readFileSync(join(clusterDir(stateRoot, 'fbstop'), 'state.json'), 'utf8')) as ClusterState).local!.root;
    expect(clusterObjects(root, clusterDir(stateRoot, 'fbstop'), ownerDir)).toEqual(NOTHING);
  }, 600_000);
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
