/**
 * The fog target on real namespaces, cgroups and qdiscs (needs root; skipped with a printed
 * reason on a host without the capability). One target serves every test of this file.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFogTarget, type FogTarget } from '../../../harness/targets/local/fog-target.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import type { Deployment, UnitSpec } from '../../../harness/targets/target.ts';
import { FIXTURES, TEST_TOPOLOGY, fixtureServer as server, leftovers, processAlive, skipReasonPrinted } from './fog-host.ts';

const skip = skipReasonPrinted();

/** User+system CPU seconds of a process so far, from /proc (independent of cgroup accounting). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe.skipIf(skip)('fog target on this host', () => {
  let target: FogTarget;
  const lines: string[] = [];
  let chainFirstHost = '';

  beforeAll(async () => {
    target = createFogTarget({ runId: 'test-fog-target', topologyFile: TEST_TOPOLOGY, stopGraceMs: 1000, restartBackoffMs: 500 });
    await target.prepare();
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it('describes nodes, quotas, addresses and the shaping really applied', () => {
    const description = target.describe();
    expect(description.kind).toBe('fog');
    expect(description.nodes.map((n) => [n.name, n.cpus, n.link?.bandwidthMbit])).toEqual([
      ['client', 0.25, null],
      ['core', 0.5, null],
      ['worker-1', 0.5, 10],
      ['worker-2', 0.5, null],
    ]);
    expect(description.nodes[2]!.address).toMatch(/^198\.1[89]\.\d+\.0\/24$/);
    expect(description.shaping).toContain('worker-1: tbf 10 mbit/s');
    expect(description.details.cgroupVersion).toBeOneOf([1, 2]);
  });

  it('places a chain on successive workers, each unit in its own namespace, and serves through it', async () => {
    const deployment = await target.deploy(
      [
        server('first', { role: 'worker', index: 0 }, (e) => ({ NEXT_URL: `http://${e.get('second')!.host}:8080/` })),
        server('second', { role: 'worker', index: 1 }),
        server('third', { role: 'worker', index: 2 }),
      ],
      { readyTimeoutMs: 15_000, onLine: (unit, line) => lines.push(`${unit} ${line}`) },
    );
    try {
      expect([...deployment.placement]).toEqual([
        ['first', 'worker-1'],
        ['second', 'worker-2'],
        ['third', 'worker-1'], // index 2 wraps around the two workers
      ]);
      const hosts = [...deployment.endpoints.values()].map((e) => e.host);
      chainFirstHost = hosts[0]!;
      expect(new Set(hosts).size).toBe(3);
      const client = await target.startClient({
        name: 'chain-client',
        command: 'node',
        args: [`${FIXTURES}fetch-client.mjs`, 'latency', `http://${hosts[0]}:8080/`, '5'],
        env: {},
      });
      const out: string[] = [];
      client.onLine((line) => out.push(line));
      expect(await client.exited).toEqual({ code: 0, signal: null });
      expect(JSON.parse(out[0]!).count).toBe(5);
      // Every hop ran on the node the placement says, as each unit reported it.
      expect(lines).toContain('first {"path":"/","node":"worker-1"}');
      expect(lines).toContain('second {"path":"/","node":"worker-2"}');
      // The host itself has no route into the fog beyond its own address on the switch.
      expect(hosts.every((h) => h.startsWith(target.hostAddress.split('.').slice(0, 2).join('.')))).toBe(true);
    } finally {
      await deployment.stop();
    }
    for (const unit of deployment.units) expect(processAlive(unit.pid!)).toBe(false);
  });

  // Timing on a shared VM: three tries, each held to the full ±15 %.
  it('caps a bulk transfer across a 10 mbit/s node link at about 10 mbit/s', { retry: 2 }, async () => {
    const deployment = await target.deploy([server('bulk', { role: 'worker', index: 0 })], { readyTimeoutMs: 15_000, onLine: () => {} });
    try {
      const host = deployment.endpoints.get('bulk')!.host;
      // A freed address is handed out again (with the same MAC, so no cache points at the old pod).
      expect(host).toBe(chainFirstHost);
      const client = await target.startClient({
        name: 'bulk-client',
        command: 'node',
        args: [`${FIXTURES}fetch-client.mjs`, 'bulk', `http://${host}:8080/bulk?bytes=${4 * 1024 * 1024}`],
        env: {},
      });
      const out: string[] = [];
      client.onLine((line) => out.push(line));
      await client.exited;
      const { mbit, seconds } = JSON.parse(out[0]!) as { mbit: number; seconds: number };
      console.log(`bulk transfer across a 10 mbit/s link: ${mbit.toFixed(2)} mbit/s over ${seconds.toFixed(2)} s`);
      expect(mbit).toBeGreaterThan(8.5);
      expect(mbit).toBeLessThan(11.5);
    } finally {
      await deployment.stop();
    }
  });

  it("samples every unit's pod as well as every node, each pod under the node it runs on", async () => {
    const deployment = await target.deploy([server('sampled-a', { role: 'worker', index: 0 }), server('sampled-b', { role: 'worker', index: 1 })], {
      readyTimeoutMs: 15_000,
      onLine: () => {},
    });
    try {
      const observer = target.observe(deployment, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await observer.stop();
      const units = observer.resources().filter((s) => s.unit !== undefined);
      expect(new Set(units.map((s) => `${s.unit}@${s.node}`))).toEqual(new Set(['sampled-a@worker-1', 'sampled-b@worker-2']));
      expect(units.every((s) => s.memoryBytes > 0)).toBe(true);
      expect(observer.resources().some((s) => s.unit === undefined && s.node === 'worker-1')).toBe(true);
    } finally {
      await deployment.stop();
    }
  });

  it('caps a busy loop on a 0.25-CPU node at about 25% of a core', { retry: 2 }, async () => {
    const deployment = await target.deploy([], { readyTimeoutMs: 1000, onLine: () => {} });
    const observer = target.observe(deployment, Date.now());
    const spinner = await target.startClient({ name: 'spinner', command: 'node', args: [`${FIXTURES}busy-loop.mjs`], env: {} });
    await new Promise<void>((resolve) => spinner.onLine(() => resolve()));
    const before = cpuSeconds(spinner.pid!);
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const share = (cpuSeconds(spinner.pid!) - before) / ((Date.now() - started) / 1000);
    await spinner.stop();
    await observer.stop();
    console.log(`busy loop on a 0.25-CPU node: ${(share * 100).toFixed(1)}% of a core`);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.3);
    // The per-node samples read from the cgroup agree with /proc.
    const client = observer.resources().filter((s) => s.node === 'client' && s.t > 1.5);
    expect(client.length).toBeGreaterThanOrEqual(2);
    for (const sample of client) {
      expect(sample.cpuLimit).toBe(0.25);
      expect(sample.cpu).toBeGreaterThan(0.18);
      expect(sample.cpu).toBeLessThan(0.32);
    }
    expect(observer.resources().filter((s) => s.node === 'worker-1').every((s) => s.cpu < 0.1)).toBe(true);
  });

  it('records an OOM kill, the exit it caused and the restart as events, and keeps sampling', async () => {
    const deployment = await target.deploy([server('hog', { role: 'core' }, () => ({}), { memoryLimitBytes: 96 * 1024 * 1024 })], {
      readyTimeoutMs: 15_000,
      onLine: () => {},
    });
    const t0 = Date.now();
    const observer = target.observe(deployment, t0);
    try {
      const hog = deployment.units[0]!;
      const firstPid = hog.pid;
      const host = deployment.endpoints.get('hog')!.host;
      const client = await target.startClient({
        name: 'hog-client',
        command: 'node',
        args: [`${FIXTURES}fetch-client.mjs`, 'bulk', `http://${host}:8080/alloc?mb=400`],
        env: {},
      });
      await client.exited;
      // Killed, restarted after the 0.5 s back-off, healthy again: as a kubelet would.
      const deadline = Date.now() + 15_000;
      while (!observer.events().some((e) => e.kind === 'ready') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const events = observer.events();
      expect(events.map((e) => e.kind)).toEqual(['oom-kill', 'exit', 'restart', 'ready']);
      expect(events[0]).toMatchObject({ subject: 'hog', node: 'core' });
      expect(events[0]!.t).toBeGreaterThanOrEqual(0);
      expect(events[1]).toMatchObject({ subject: 'hog', detail: 'killed by SIGKILL' });
      expect(events[2]!.detail).toBe('restart #1 after a 0.5 s back-off');
      expect(hog.pid).not.toBe(firstPid);
      expect(processAlive(hog.pid!)).toBe(true);
      expect(observer.resources().some((s) => s.node === 'core')).toBe(true);
    } finally {
      await observer.stop();
      await deployment.stop();
    }
  });

  it('fails a deploy whose unit dies with a deploy error quoting its stderr, and removes its pod', async () => {
    const broken: UnitSpec = { ...server('broken', { role: 'worker', index: 0 }), args: ['-e', 'console.error("no config here"); process.exit(3)'] };
    const error = await target.deploy([broken], { readyTimeoutMs: 10_000, onLine: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('deploy');
    expect((error as FogbenchError).message).toMatch(/unit broken on fog node worker-1 .* exited \(code 3\).*no config here/);
    expect(leftovers(target.describe().details.objectPrefix as string).namespaces.filter((n) => n.includes('broken'))).toEqual([]);
  });

  it('refuses a deployment with more pods on a node than its addresses hold, in one line, before making any pod', async () => {
    // --replicas 300 on fog ended in "RangeError: at most 240 pods fit on one node" with a trace, after pods were made.
    const many = Array.from({ length: 241 }, (_, i) => server(`many-${i}`, { role: 'worker', index: 0 }));
    const error = await target.deploy(many, { readyTimeoutMs: 10_000, onLine: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('usage');
    expect((error as FogbenchError).message).toMatch(/puts 241 pods on fog node worker-1; at most 240 fit on one node: lower --replicas/);
    expect(leftovers(target.describe().details.objectPrefix as string).namespaces.filter((n) => n.includes('many'))).toEqual([]);
  });
});

describe.skipIf(skip)('fog target lifecycle', () => {
  it('removes every namespace, interface, cgroup and process on dispose, and dispose is idempotent', async () => {
    const target = createFogTarget({ runId: 'test-dispose', topologyFile: TEST_TOPOLOGY, stopGraceMs: 500 });
    let deployment: Deployment | undefined;
    try {
      await target.prepare();
      deployment = await target.deploy([server('a', { role: 'worker', index: 0 }), server('b', { role: 'core' })], {
        readyTimeoutMs: 15_000,
        onLine: () => {},
      });
      const root = target.describe().details.objectPrefix as string;
      const during = leftovers(root);
      expect(during.namespaces).toHaveLength(2);
      expect(during.interfaces.length).toBeGreaterThan(4);
      expect(during.cgroups.length).toBeGreaterThan(0);
      const pids = deployment.units.map((u) => u.pid!);
      await target.dispose();
      await target.dispose();
      expect(leftovers(root)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
      expect(pids.filter(processAlive)).toEqual([]);
    } finally {
      await target.dispose();
    }
  });

  it('refuses in one line, naming what is missing, when `ip` and `tc` are not on the PATH', async () => {
    const target = createFogTarget({ runId: 'test-refusal', searchPath: '/nonexistent' });
    const error = await target.prepare().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('environment');
    expect((error as FogbenchError).message).toBe(
      'the fog target needs the `ip` command (Debian package iproute2) and the `tc` command (Debian package iproute2); --target loopback still works',
    );
    await target.dispose();
  });
});
