/**
 * Sizing: both systems' replicas, at the sizes clusters/sizes.yaml gives every replica, on
 * t2.small agents as K3s reports them (1 vCPU allocatable, about 1.9 GiB). The same check runs
 * against a real scheduler's view in kube-target.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../../clusters/config.ts';
import { FogbenchError } from '../../../harness/errors.ts';
import { checkFit, podRequests, requestedByNode, type NodeRoom } from '../../../harness/targets/kube/capacity.ts';
import { parseQuantity } from '../../../harness/targets/kube/nodes.ts';

const config = parseClusterConfig(readFileSync(new URL('../../../clusters/sizes.yaml', import.meta.url), 'utf8'));
const replica = { cpu: parseQuantity(config.units.cpuRequest), memoryBytes: config.units.memoryRequestMiB * 2 ** 20 };
const agent = (name: string, cpuUsed = 0): NodeRoom => ({ name, allocatable: { cpu: 1, memoryBytes: 1927156 * 1024 }, requested: { cpu: cpuUsed, memoryBytes: 0 } });
const workers = ['lab-agent-1', 'lab-agent-2', 'lab-agent-3'];
const advice = 'lower units.cpuRequest';

describe('sizing on t2.small agents', () => {
  it('fits p2p (4 pinned units) and OpenFaaS (4 functions + orchestrator) at one replica each, with K3s add-ons on an agent', () => {
    // coredns and metrics-server may land on an agent: 100m each.
    const rooms = [agent('lab-agent-1', 0.2), agent('lab-agent-2'), agent('lab-agent-3')];
    const p2p = ['lab-agent-1', 'lab-agent-2', 'lab-agent-3', 'lab-agent-1'].map((node, i) => ({ what: `p2p unit ${i}`, node, candidates: workers, size: replica }));
    expect(() => checkFit(rooms, p2p, advice)).not.toThrow();
    const functions = Array.from({ length: 5 }, (_, i) => ({ what: `function replica ${i}`, node: null, candidates: workers, size: replica }));
    expect(() => checkFit(rooms, functions, advice)).not.toThrow();
    // The old sizing: OpenFaaS asked for a whole vCPU per function; only three fit on three agents.
    const wholeCpu = functions.map((f) => ({ ...f, size: { ...f.size, cpu: 1 } }));
    expect(() => checkFit(rooms, wholeCpu, advice)).toThrow(/function replica 2 requests 1000m CPU/);
  });

  it('refuses before deploying, in one line naming each node\'s room, when replicas do not fit', () => {
    const rooms = [agent('lab-agent-1'), agent('lab-agent-2'), agent('lab-agent-3')];
    const many = Array.from({ length: 13 }, (_, i) => ({ what: `OpenFaaS function replica ${i + 1} of 13`, node: null, candidates: workers, size: replica }));
    const error = (() => {
      try {
        checkFit(rooms, many, advice);
      } catch (e) {
        return e as FogbenchError;
      }
    })();
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.code).toBe('deploy');
    expect(error!.message).not.toContain('\n');
    expect(error!.message).toBe(
      'the plan does not fit the cluster: OpenFaaS function replica 13 of 13 requests 250m CPU and 128 MiB, but lab-agent-1 has 0m of 1000m CPU and 1370 of 1882 MiB free; ' +
        'lab-agent-2 has 0m of 1000m CPU and 1370 of 1882 MiB free; lab-agent-3 has 0m of 1000m CPU and 1370 of 1882 MiB free; lower units.cpuRequest',
    );
  });

  it('counts what the scheduler counts: containers summed, the largest init container, finished pods not at all', () => {
    const pod = (node: string, phase: string, containers: string[], init: string[] = []) => ({
      spec: { nodeName: node, containers: containers.map((cpu) => ({ name: 'c', resources: { requests: { cpu, memory: '64Mi' } } })), initContainers: init.map((cpu) => ({ name: 'i', resources: { requests: { cpu } } })) },
      status: { phase },
    });
    expect(podRequests(pod('a', 'Running', ['100m', '150m'], ['500m']) as never)).toEqual({ cpu: 0.5, memoryBytes: 128 * 2 ** 20 });
    const used = requestedByNode([pod('a', 'Running', ['100m']), pod('a', 'Pending', ['200m']), pod('a', 'Succeeded', ['900m']), pod('b', 'Failed', ['900m'])] as never);
    expect(used.get('a')!.cpu).toBeCloseTo(0.3);
    expect(used.has('b')).toBe(false);
  });
});
