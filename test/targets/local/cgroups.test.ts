/**
 * cgroup detection and the control-file formats of both versions. The v1 side also runs for
 * real in the fog target's tests on this (v1) host; the v2 side cannot (this kernel binds cpu
 * and memory to v1), so here it writes and reads a folder laid out as the kernel documents
 * cgroup v2 (Documentation/admin-guide/cgroup-v2.rst).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../helpers/temp.ts';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCgroups } from '../../../harness/targets/local/cgroups.ts';
import { FogbenchError } from '../../../harness/errors.ts';

const HYBRID = `cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0
cgroup /sys/fs/cgroup/cpuacct cgroup rw,relatime,cpuacct 0 0
cgroup /sys/fs/cgroup/memory cgroup rw,relatime,memory 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
`;

describe('cgroup detection', () => {
  it('prefers the v1 cpu, cpuacct and memory hierarchies of a hybrid host', () => {
    const driver = detectCgroups(HYBRID);
    expect(driver.version).toBe(1);
    expect(driver.mounts).toEqual({ cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct', memory: '/sys/fs/cgroup/memory' });
    expect(driver.procsFiles('fbfabcd/worker-1')).toEqual([
      '/sys/fs/cgroup/cpu/fbfabcd/worker-1/cgroup.procs',
      '/sys/fs/cgroup/cpuacct/fbfabcd/worker-1/cgroup.procs',
      '/sys/fs/cgroup/memory/fbfabcd/worker-1/cgroup.procs',
    ]);
  });

  it('knows every hierarchy, so that removal reaches the groups a kubelet and runc make in each', () => {
    const driver = detectCgroups(`${HYBRID}cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\ncgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\n`);
    expect([...driver.hierarchies].sort()).toEqual(
      ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpuacct', '/sys/fs/cgroup/cpuset', '/sys/fs/cgroup/memory', '/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified'].sort(),
    );
    // Quotas and pods still go only where fog puts them.
    expect(driver.procsFiles('g')).toHaveLength(3);
  });

  it('joins co-mounted v1 controllers once', () => {
    const driver = detectCgroups('cgroup /c/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup /c/memory cgroup rw,memory 0 0\n');
    expect(driver.procsFiles('g')).toEqual(['/c/cpu,cpuacct/g/cgroup.procs', '/c/memory/g/cgroup.procs']);
  });

  it('refuses a host with neither, naming the fallback', () => {
    const root = tempDir('fogbench-cg-');
    writeFileSync(join(root, 'cgroup.controllers'), 'pids io\n');
    let caught: unknown;
    try {
      detectCgroups(`cgroup2 ${root} cgroup2 rw 0 0\n`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FogbenchError);
    expect((caught as FogbenchError).message).toMatch(/cgroup .* --target loopback still works$/);
  });
});

describe('cgroup v2 control files', () => {
  it('writes quotas and reads usage, working set and OOM kills in the v2 formats', async () => {
    const root = tempDir('fogbench-cg2-');
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const driver = detectCgroups(`cgroup2 ${root} cgroup2 rw,nsdelegate 0 0\n`);
    expect(driver.version).toBe(2);

    await driver.create('fbfabcd/worker-1', { cpus: 0.25, memoryBytes: 512 * 1024 * 1024 });
    const dir = join(root, 'fbfabcd', 'worker-1');
    expect(readFileSync(join(dir, 'cpu.max'), 'utf8')).toBe('25000 100000');
    expect(readFileSync(join(dir, 'memory.max'), 'utf8')).toBe(String(512 * 1024 * 1024));
    expect(readFileSync(join(dir, 'memory.swap.max'), 'utf8')).toBe('0');
    // Controllers are delegated from the root down to the node's parent.
    expect(readFileSync(join(root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory');
    expect(readFileSync(join(root, 'fbfabcd', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory');
    expect(driver.procsFiles('fbfabcd/worker-1')).toEqual([join(dir, 'cgroup.procs')]);

    writeFileSync(join(dir, 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nnr_periods 10\n');
    writeFileSync(join(dir, 'memory.current'), '10485760\n');
    writeFileSync(join(dir, 'memory.stat'), 'anon 6291456\nfile 4194304\ninactive_file 2097152\nactive_file 2097152\n');
    writeFileSync(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n');
    writeFileSync(join(dir, 'cgroup.procs'), '101\n102\n');
    mkdirSync(join(dir, 'pod'));
    writeFileSync(join(dir, 'pod', 'cgroup.procs'), '103\n');

    expect(await driver.cpuUsageNs('fbfabcd/worker-1')).toBe(1_500_000_000);
    expect(await driver.memory('fbfabcd/worker-1')).toEqual({ bytes: 8 * 1024 * 1024, limitBytes: 512 * 1024 * 1024 });
    expect(await driver.oomKills('fbfabcd/worker-1')).toBe(2);
    expect(await driver.pids('fbfabcd/worker-1')).toEqual([101, 102, 103]);
    expect(await driver.topLevelGroups()).toEqual(['fbfabcd']);

    await driver.create('fbfabcd/free', { cpus: null, memoryBytes: null });
    writeFileSync(join(root, 'fbfabcd', 'free', 'memory.max'), 'max\n');
    writeFileSync(join(root, 'fbfabcd', 'free', 'memory.current'), '0\n');
    writeFileSync(join(root, 'fbfabcd', 'free', 'memory.stat'), 'inactive_file 0\n');
    expect((await driver.memory('fbfabcd/free')).limitBytes).toBeNull();
  });
});
