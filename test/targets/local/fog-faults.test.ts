/**
 * Fault injection on the fog target's real kernel objects (needs root; skipped with a printed
 * reason elsewhere): each kind applied to fixture pods and undone while the target runs, then a
 * dispose with faults still in effect. The bench-level test (faults-bench.test.ts) measures
 * their effect on a loaded system.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../../harness/faults/spec.ts';
import { detectCgroups } from '../../../harness/targets/local/cgroups.ts';
import { createFogFaults, partitionCommands, type FogFaultAccess } from '../../../harness/targets/local/fog-faults.ts';
import { createFogTarget, type FogTarget } from '../../../harness/targets/local/fog-target.ts';
import type { Deployment, FaultApplication, Observer } from '../../../harness/targets/target.ts';
import { tempDir } from '../../helpers/temp.ts';
import { TEST_TOPOLOGY, fixtureServer as server, leftovers, processAlive, skipReasonPrinted } from './fog-host.ts';

const skip = skipReasonPrinted();

/** The qdiscs of a device as `tc` shows them (what a restore must bring back exactly). */
const qdiscs = (device: string) => execFileSync('tc', ['qdisc', 'show', 'dev', device], { encoding: 'utf8' }).trim();

/** GET with a deadline; resolves to the status, or the error's code. */
async function get(url: string, timeoutMs = 1500): Promise<number | string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'timeout' : String((error as { cause?: { code?: string } }).cause?.code ?? error);
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function applied(application: FaultApplication): Extract<FaultApplication, { applied: true }> {
  if (!application.applied) throw new Error(`not applied: ${application.reason}`);
  return application;
}

describe('partition commands (pure)', () => {
  it('drop every IPv4 packet in a class of its own, except the kubelet\'s', () => {
    const commands = partitionCommands('fbfabcdu3', '198.18.4.1', 10).map((c) => c.join(' '));
    expect(commands).toEqual([
      'qdisc add dev fbfabcdu3 root handle 1: htb default 10',
      'class add dev fbfabcdu3 parent 1: classid 1:10 htb rate 10mbit quantum 60000',
      'class add dev fbfabcdu3 parent 1: classid 1:20 htb rate 10mbit quantum 60000',
      'qdisc add dev fbfabcdu3 parent 1:20 handle 20: pfifo limit 0',
      'filter add dev fbfabcdu3 parent 1: protocol ip prio 1 u32 match ip src 198.18.4.1/32 flowid 1:10',
      'filter add dev fbfabcdu3 parent 1: protocol ip prio 1 u32 match ip dst 198.18.4.1/32 flowid 1:10',
      'filter add dev fbfabcdu3 parent 1: protocol ip prio 2 u32 match u32 0 0 flowid 1:20',
    ]);
  });
});

/**
 * The holds on what faults change, on plain files standing in for a pod's and a node's cgroup
 * files (cgroup v1 names): no root needed.
 */
describe('fog faults holding a pod or a node', () => {
  const MiB = 2 ** 20;
  function fixture() {
    const mount = tempDir('fogbench-fake-cgroup-');
    for (const group of ['pod', 'node']) mkdirSync(join(mount, group));
    writeFileSync(join(mount, 'pod', 'memory.limit_in_bytes'), String(512 * MiB));
    writeFileSync(join(mount, 'node', 'cpu.cfs_quota_us'), '30000');
    writeFileSync(join(mount, 'node', 'cpu.cfs_period_us'), '100000');
    const access = (): FogFaultAccess => ({
      cgroups: { version: 1, mounts: { memory: mount, cpu: mount } } as unknown as FogFaultAccess['cgroups'],
      host: null as unknown as FogFaultAccess['host'],
      hostAddress: '198.18.0.1',
      delay: 'none',
      nodes: [{ name: 'worker-2', role: 'worker', group: 'node', cpus: 0.3, link: { bandwidthMbit: null, latencyMs: 0, jitterMs: 0 } as never, devices: [] }],
      pods: [{ name: 'filter-temperature-0', service: 'filter-temperature', node: 'worker-2', group: 'pod', containers: [{ unit: 'filter-temperature-0', pid: undefined, running: false }] }],
    });
    const deployment = { endpoints: new Map(), units: [], placement: new Map([['filter-temperature-0', 'worker-2']]), stop: async () => {} } as Deployment;
    return { faults: createFogFaults(access, async () => []), deployment, file: (name: string) => readFileSync(join(mount, name), 'utf8').trim() };
  }

  // Issue 25, finding 2: the second fault saved the first's lowered limit as the pod's own, and
  // the reverts, run in the order applied, left the pod with it ("lowered from 300Mi to 300Mi").
  it('issue 25 #2: saves a pod\'s own limit once, and only the last fault to end writes it back', async () => {
    const { faults, deployment, file } = fixture();
    const a = applied(await faults.apply(parseFault('memory:filter-temperature=300Mi@1s+20s'), deployment));
    const b = applied(await faults.apply(parseFault('memory:filter-temperature-0=200Mi@5s+5s'), deployment));
    console.log(`${a.detail} | ${b.detail}`);
    expect(b.detail).toMatch(/^memory limit of filter-temperature-0 lowered from 512Mi to 200Mi$/);
    expect(file('pod/memory.limit_in_bytes')).toBe(String(200 * MiB));
    expect(await a.revert!()).toBe('memory limit of filter-temperature-0 left lowered: another fault on it is still in effect');
    expect(await b.revert!()).toBe('memory limit of filter-temperature-0 restored to 512Mi');
    expect(file('pod/memory.limit_in_bytes')).toBe(String(512 * MiB));
    expect(faults.active).toBe(0);
  });

  it('does the same for a node\'s CPU quota', async () => {
    const { faults, deployment, file } = fixture();
    const a = applied(await faults.apply(parseFault('cpu:worker-2=0.1@1s+10s'), deployment));
    const b = applied(await faults.apply(parseFault('cpu:worker-2=0.05@2s+10s'), deployment));
    expect(file('node/cpu.cfs_quota_us')).toBe('5000');
    await b.revert!();
    expect(file('node/cpu.cfs_quota_us')).toBe('5000');
    await a.revert!();
    expect(file('node/cpu.cfs_quota_us')).toBe('30000');
  });
});

describe.skipIf(skip)('fog faults on this host', () => {
  let target: FogTarget;
  let deployment: Deployment;
  let observer: Observer;
  let root = '';
  const cgroups = skip ? null : detectCgroups();
  const url = (unit: string, path: string) => `http://${deployment.endpoints.get(unit)!.host}:8080${path}`;
  /** A node's link ends: uplink switch side and node side, by the node's index in the topology. */
  const linkEnds = (node: string) => {
    const index = target.topology.nodes.findIndex((n) => n.name === node);
    return [`${root}u${index}`, `${root}d${index}`];
  };
  const cgroupFile = (controller: 'cpu' | 'memory', group: string, file: string) =>
    cgroups!.version === 2 ? join(cgroups!.mounts.unified!, group, file.startsWith('cpu') ? 'cpu.max' : 'memory.max') : join(cgroups!.mounts[controller]!, group, file);
  const read = (file: string) => readFileSync(file, 'utf8').trim();

  beforeAll(async () => {
    target = createFogTarget({ runId: 'test-fog-faults', topologyFile: TEST_TOPOLOGY, stopGraceMs: 1000, restartBackoffMs: 500 });
    await target.prepare();
    root = target.describe().details.objectPrefix as string;
    // Probed every second, failing at the first miss: a partition that failed probes would show at once.
    const probes = { readiness: { path: '/healthz', port: 8080, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 1 } };
    deployment = await target.deploy(
      [
        server('front', { role: 'worker', index: 0 }, (e) => ({ NEXT_URL: `http://${e.get('back-0')!.host}:8080/` }), { probes }),
        server('back-0', { role: 'worker', index: 1 }, () => ({}), { service: 'back', probes }),
        server('hog', { role: 'core' }, () => ({}), { memoryLimitBytes: 256 * 2 ** 20 }),
      ],
      { readyTimeoutMs: 15_000, onLine: () => {} },
    );
    observer = target.observe(deployment, Date.now());
  });
  afterAll(async () => {
    await observer?.stop();
    await target?.dispose();
  });

  it('kills a service\'s replicas: the exit and the restart are events, the pod serves again with a new process', async () => {
    const injector = target.capabilities.faults!;
    const before = deployment.units.find((u) => u.name === 'back-0')!;
    const firstPid = before.pid!;
    // A service name reaches its replicas' pods.
    const kill = applied(await injector.apply(parseFault('kill:back@0s'), deployment));
    expect(kill.detail).toBe(`SIGKILL to back-0 (pid ${firstPid})`);
    expect(kill.revert).toBeNull();
    await until(() => observer.events().some((e) => e.kind === 'ready' && e.subject === 'back-0'), 10_000, 'back-0 to be ready again');
    const kinds = observer.events().filter((e) => e.subject === 'back-0').map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['exit', 'restart', 'ready']));
    expect(observer.events().find((e) => e.kind === 'exit' && e.subject === 'back-0')!.detail).toBe('killed by SIGKILL');
    expect(processAlive(firstPid)).toBe(false);
    expect(before.pid).not.toBe(firstPid);
    expect(await get(url('front', '/'))).toBe(200);
    // A subject this deployment does not have is not applicable, with what it has.
    expect(await injector.apply(parseFault('kill:gateway@0s'), deployment)).toEqual({
      applied: false,
      reason: 'this system has no unit or service called "gateway" (it has back, back-0, front, hog)',
    });
  });

  it('cuts a node\'s link but for the kubelet\'s probes, then puts the link\'s own qdiscs back exactly', async () => {
    const injector = target.capabilities.faults!;
    const seen = observer.events().length;
    for (const node of ['worker-2', 'worker-1']) {
      // worker-1's link is shaped (tbf 10 mbit/s), worker-2's is not: both come back as they were.
      const ends = linkEnds(node);
      const original = ends.map(qdiscs);
      const cut = applied(await injector.apply(parseFault(`partition:${node}@0s+10s`), deployment));
      expect(cut.targets).toEqual(ends.map((d) => `link ${d}`));
      expect(ends.map(qdiscs).every((q) => q.includes('qdisc htb 1: root') && q.includes('qdisc pfifo 20: parent 1:20 limit 0p'))).toBe(true);
      // front (worker-1) calls back-0 (worker-2) across both links: the call hangs; the host's own
      // requests (as the kubelet's probes) still reach either pod.
      expect(await get(url('front', '/'), 1500)).toBe('timeout');
      expect(await get(url('back-0', '/healthz'))).toBe(200);
      expect(await get(url('front', '/healthz'))).toBe(200);
      expect(await cut.revert!()).toBe(`link of ${node} restored (${ends.join(', ')}: ${node === 'worker-1' ? 'tbf 10 mbit/s' : 'unshaped'})`);
      expect(ends.map(qdiscs)).toEqual(original);
      await until(async () => (await get(url('front', '/'), 3000)) === 200, 10_000, 'the chain to answer again');
    }
    // No probe failed while the links were cut: a partition does not restart pods through their probes.
    expect(observer.events().slice(seen).filter((e) => e.kind === 'not-ready' || e.kind === 'unhealthy')).toEqual([]);
  });

  it('squeezes a node\'s CPU quota and writes the old one back', async () => {
    const file = cgroupFile('cpu', `${root}/worker-1`, 'cpu.cfs_quota_us');
    const original = read(file);
    const squeeze = applied(await target.capabilities.faults!.apply(parseFault('cpu:worker-1=0.05@0s+5s'), deployment));
    expect(squeeze.detail).toBe('CPU quota of node worker-1 squeezed from 0.5 cores to 0.05 cores');
    expect(read(file)).toBe(cgroups!.version === 2 ? '5000 100000' : '5000');
    expect(await squeeze.revert!()).toBe('CPU quota of worker-1 restored to 0.5 cores');
    expect(read(file)).toBe(original);
  });

  it('lowers a pod\'s memory limit until the kernel OOM-kills it, and writes the old limit back', async () => {
    const group = deployment.units.find((u) => u.name === 'hog')!;
    const pid = group.pid!;
    // The pod's cgroup is the parent of its container's, where the process is.
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => (cgroups!.version === 2 ? l.startsWith('0::') : /^\d+:memory:/.test(l)))!;
    const file = cgroupFile('memory', dirname(line.slice(line.lastIndexOf(':') + 1)).slice(1), 'memory.limit_in_bytes');
    const lowered = applied(await target.capabilities.faults!.apply(parseFault('memory:hog=24Mi@0s'), deployment));
    expect(lowered.detail).toMatch(/^memory limit of hog lowered from 256Mi to 24Mi/);
    // The next allocation cannot fit: the kernel kills the process, the pod restarts it.
    await get(url('hog', '/alloc?mb=64'), 3000);
    await until(() => observer.events().some((e) => e.kind === 'oom-kill' && e.subject === 'hog'), 10_000, 'an oom-kill event');
    expect(processAlive(pid)).toBe(false);
    expect(await lowered.revert!()).toBe('memory limit of hog restored to 256Mi');
    expect(Number(read(file))).toBe(256 * 2 ** 20);
    await until(() => group.pid !== pid && observer.events().some((e) => e.kind === 'ready' && e.subject === 'hog'), 15_000, 'hog to be back');
  });

  it('undoes on dispose every fault still in effect, and leaves nothing behind', async () => {
    const other = createFogTarget({ runId: 'test-fog-faults-dispose', topologyFile: TEST_TOPOLOGY, stopGraceMs: 1000 });
    await other.prepare();
    const prefix = other.describe().details.objectPrefix as string;
    const d = await other.deploy([server('solo', { role: 'worker', index: 0 })], { readyTimeoutMs: 15_000, onLine: () => {} });
    const faults = other.capabilities.faults!;
    for (const f of ['cpu:worker-1=0.05@0s+60s', 'partition:worker-1@0s+60s', 'memory:solo=200Mi@0s']) applied(await faults.apply(parseFault(f), d));
    const undone: string[] = [];
    const revertAll = faults.revertAll.bind(faults);
    faults.revertAll = async () => {
      await revertAll();
      const index = other.topology.nodes.findIndex((n) => n.name === 'worker-1');
      undone.push(qdiscs(`${prefix}u${index}`), read(cgroupFile('cpu', `${prefix}/worker-1`, 'cpu.cfs_quota_us')));
    };
    await other.dispose();
    // Undone while the objects still existed (tbf back, quota back), then everything removed.
    expect(undone[0]).toMatch(/^qdisc tbf 1: root/);
    expect(undone[1]).toBe(cgroups!.version === 2 ? '50000 100000' : '50000');
    expect(leftovers(prefix)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
  });
});
