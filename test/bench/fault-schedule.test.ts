import { describe, expect, it } from 'vitest';
import { attachFaults, checkFaultSubjects, checkFaultsBeforeRun, scheduleFaults } from '../../harness/bench/fault-schedule.ts';
import { parseFault, type FaultSpec } from '../../harness/faults/spec.ts';
import type { ProfileResult, TimelineBucket } from '../../harness/results/schema.ts';
import { unitSubjects } from '../../harness/systems/fault-subjects.ts';
import { SYSTEMS } from '../../harness/systems/registry.ts';
import type { Deployment, FaultApplication, FaultInjector } from '../../harness/targets/target.ts';

const deployment: Deployment = { endpoints: new Map(), units: [], placement: new Map([['svc', 'worker-1']]), stop: async () => {} };

/** A fake injector that records what was applied and reverted, and when (ms after creation). */
function fakeInjector(options: { notApplicable?: string[]; failing?: string[] } = {}) {
  const t0 = Date.now();
  const log: string[] = [];
  const injector: FaultInjector = {
    refuses: (f) => (f.kind === 'drain' ? `--fault ${f.text}: no scheduler here` : null),
    nodes: async () => [{ name: 'w', role: 'worker' }],
    async apply(f): Promise<FaultApplication> {
      if (options.notApplicable?.includes(f.subject)) return { applied: false, reason: `no ${f.subject} here` };
      if (options.failing?.includes(f.subject)) throw new Error(`${f.subject} would not die`);
      log.push(`apply ${f.text} @${Date.now() - t0}`);
      const revert = f.kind === 'kill' ? null : async () => {
        log.push(`revert ${f.text} @${Date.now() - t0}`);
        return `${f.subject} back`;
      };
      return { applied: true, targets: [f.subject], detail: `${f.kind} ${f.subject}`, revert };
    },
    revertAll: async () => {},
  };
  return { injector, log, t0 };
}

const at = (log: string[], prefix: string) => Number(log.find((l) => l.startsWith(prefix))?.split(' @')[1]);

describe('fault schedule', () => {
  it('applies each fault at its time after the window opens and reverts it after its duration', async () => {
    const { injector, log, t0 } = fakeInjector();
    const faults = ['cpu:w=0.1@100ms+150ms', 'kill:svc@50ms'].map((f) => parseFault(f));
    const run = scheduleFaults(faults, injector, deployment);
    run.start(t0 + 20); // the window opened 20 ms after t0
    await new Promise((r) => setTimeout(r, 400));
    const scheduled = await run.finish();
    // Timers may fire a millisecond or two early against Date.now().
    expect(at(log, 'apply kill')).toBeGreaterThanOrEqual(67);
    expect(at(log, 'apply cpu')).toBeGreaterThanOrEqual(117);
    expect(at(log, 'revert cpu')).toBeGreaterThanOrEqual(267);
    expect(at(log, 'revert cpu')).toBeLessThan(390);
    // Ordered by start time; a kill has nothing to undo.
    expect(scheduled.outcomes.map((o) => [o.fault.text, o.status, o.endedBy])).toEqual([
      ['kill:svc@50ms', 'applied', 'instant'],
      ['cpu:w=0.1@100ms+150ms', 'applied', 'duration'],
    ]);
    expect(scheduled.outcomes[1]).toMatchObject({ reverted: 'w back', detail: 'cpu w', targets: ['w'] });
    expect(scheduled.outcomes[1]!.startedAt).toBeGreaterThanOrEqual(0.095);
    expect(scheduled.outcomes[1]!.endedAt).toBeGreaterThanOrEqual(0.245);
  });

  // Issue 25, finding 1: the revert timer overflowed (2^31 − 1 ms) and fired after 1 ms.
  it('issue 25 #1: keeps a fault longer than one Node timer holds in effect until the profile ends', async () => {
    const { injector, log, t0 } = fakeInjector();
    const run = scheduleFaults([parseFault('cpu:w=0.05@10ms+1000h')], injector, deployment);
    run.start(t0);
    await new Promise((r) => setTimeout(r, 200));
    expect(log.filter((l) => l.startsWith('revert'))).toEqual([]);
    const { outcomes } = await run.finish();
    expect(outcomes[0]).toMatchObject({ status: 'applied', endedBy: 'profile-end', reverted: 'w back' });
    expect(outcomes[0]!.endedAt).toBeGreaterThanOrEqual(0.19);
  });

  it('reverts what is still in effect when the load ends, and reports what never came or did not apply', async () => {
    const { injector, log, t0 } = fakeInjector({ notApplicable: ['gateway'], failing: ['stuck'] });
    const faults = ['memory:svc=64Mi@10ms', 'partition:w@20ms+10s', 'kill:gateway@10ms', 'kill:stuck@10ms', 'kill:svc@5s'].map((f) => parseFault(f));
    const run = scheduleFaults(faults, injector, deployment);
    run.start(t0);
    await new Promise((r) => setTimeout(r, 100));
    const { outcomes } = await run.finish();
    expect(log.filter((l) => l.startsWith('revert')).map((l) => l.split(' @')[0])).toEqual(['revert memory:svc=64Mi@10ms', 'revert partition:w@20ms+10s']);
    const byText = Object.fromEntries(outcomes.map((o) => [o.fault.text, o]));
    expect(byText['memory:svc=64Mi@10ms']).toMatchObject({ status: 'applied', endedBy: 'profile-end', reverted: 'svc back' });
    expect(byText['partition:w@20ms+10s']).toMatchObject({ status: 'applied', endedBy: 'profile-end' });
    expect(byText['kill:gateway@10ms']).toMatchObject({ status: 'not-applicable', detail: 'no gateway here', startedAt: null });
    expect(byText['kill:stuck@10ms']).toMatchObject({ status: 'failed', detail: 'stuck would not die' });
    expect(byText['kill:svc@5s']).toMatchObject({ status: 'not-reached', detail: 'the measured window closed before its time' });
    // finish() twice is the same outcome, and reverts nothing again.
    await run.finish();
    expect(log.filter((l) => l.startsWith('revert'))).toHaveLength(2);
    // A schedule whose window never opened applied nothing.
    const never = await scheduleFaults(faults, injector, deployment).finish();
    expect(never.outcomes.every((o) => o.status === 'not-reached' && o.detail === 'the measured window never opened')).toBe(true);
  });

  it('puts each applied fault and its recovery on the profile, with start and end events on the timeline', () => {
    const timeline: TimelineBucket[] = Array.from({ length: 30 }, (_, t) => {
      const down = t >= 10 && t < 14;
      return { t, completed: down ? 50 : 100, ok: down ? 0 : 100, errors: down ? { refused: 50 } : {}, p50: 5, p99: 9, mean: 6 };
    });
    const result = { timeline, durationSeconds: 30, events: [{ t: 12, at: 'x', kind: 'restart', subject: 'svc', detail: 'restart #1' }] } as unknown as ProfileResult;
    const fault = (text: string) => parseFault(text);
    attachFaults(result, {
      epochMs: Date.parse('2026-01-01T00:00:00Z'),
      outcomes: [
        { fault: fault('partition:worker-2@10s+4s'), status: 'applied', detail: 'cut', targets: ['link d2'], startedAt: 10, endedAt: 14.2, reverted: 'link back', endedBy: 'duration' },
        { fault: fault('kill:gateway@20s'), status: 'not-applicable', detail: 'no gateway', targets: [], startedAt: null, endedAt: null, reverted: null, endedBy: null },
      ],
    });
    expect(result.faults![0]!.recovery).toMatchObject({ status: 'recovered', recoveredAt: 14, secondsToRecover: 4, secondsAfterEnd: 0, failed: 200, errors: { refused: 200 } });
    expect(result.faults![1]!.recovery).toBeNull();
    expect(result.events.map((e) => [e.t, e.kind, e.subject, e.node ?? null])).toEqual([
      [10, 'fault-start', 'worker-2', 'worker-2'],
      [12, 'restart', 'svc', null],
      [14.2, 'fault-end', 'worker-2', 'worker-2'],
    ]);
    expect(result.events[0]!.at).toBe('2026-01-01T00:00:10.000Z');
    expect(result.events[0]!.detail).toBe('partition worker-2, 10–14 s: cut');
  });

  it('refuses before anything runs what the target cannot do, late faults, unknown nodes and subjects', () => {
    const { injector } = fakeInjector();
    const target = { kind: 'fake', capabilities: { podNetwork: true, probes: true, faults: injector } };
    const f = (text: string): FaultSpec[] => [parseFault(text)];
    expect(() => checkFaultsBeforeRun(f('drain:w@1s+1s'), target, 60_000)).toThrow(/no scheduler here/);
    expect(() => checkFaultsBeforeRun(f('kill:svc@61s'), target, 60_000)).toThrow(/after the 60s profile ends/);
    expect(() => checkFaultsBeforeRun(f('kill:svc@1s'), { kind: 'loopback', capabilities: { podNetwork: false, probes: false } }, 60_000)).toThrow(
      /the loopback target cannot inject faults/,
    );
    expect(() => checkFaultsBeforeRun([], { kind: 'loopback', capabilities: { podNetwork: false, probes: false } }, 60_000)).not.toThrow();

    const nodes = [{ name: 'client', role: 'client', cpus: 1, memoryBytes: 1 }, { name: 'worker-1', role: 'worker', cpus: 1, memoryBytes: 1 }];
    const plan = { system: 'p2p', subjects: unitSubjects([{ name: 'svc', sidecars: [{ name: 'side' }] }, { name: 'fn-0', service: 'fn' }]) };
    expect([...plan.subjects.keys()].sort()).toEqual(['fn', 'fn-0', 'svc', 'svc/side']);
    expect(() => checkFaultSubjects(f('cpu:worker-1=0.1@1s+1s'), nodes, [plan])).not.toThrow();
    expect(() => checkFaultSubjects(f('cpu:worker-9=0.1@1s+1s'), nodes, [plan])).toThrow(/no node "worker-9" \(nodes: worker-1\)/);
    expect(() => checkFaultSubjects(f('partition:client@1s+1s'), nodes, [plan])).toThrow(/holds the load generator/);
    expect(() => checkFaultSubjects(f('kill:fn@1s'), nodes, [plan])).not.toThrow();
    expect(() => checkFaultSubjects(f('kill:gateway@1s'), nodes, [plan])).toThrow(/no system has a unit or service called "gateway" \(p2p: fn, fn-0, svc, svc\/side\)/);
    const two = (a: string, b: string) => [parseFault(a), parseFault(b)];
    expect(() => checkFaultSubjects(two('cpu:worker-1=0.1@10s+10s', 'cpu:worker-1=0.2@15s+10s'), nodes, [plan])).toThrow(/overlap on node worker-1/);
    expect(() => checkFaultSubjects(two('cpu:worker-1=0.1@10s+10s', 'cpu:worker-1=0.2@20s+10s'), nodes, [plan])).not.toThrow();
    expect(() => checkFaultSubjects(two('partition:worker-1@10s+5s', 'cpu:worker-1=0.1@10s+5s'), nodes, [plan])).not.toThrow();
    expect(() => checkFaultSubjects(two('kill:svc@10s', 'kill:svc@10s'), nodes, [plan])).not.toThrow();
  });

  // Issue 25, finding 2: memory faults on one pod named once by its service and once by its
  // replica were not seen to overlap; the second saved the first's lowered limit as the original.
  it('issue 25 #2: sees two faults on one pod as overlapping however they name it, before anything runs', () => {
    const nodes = [{ name: 'worker-1', role: 'worker' }];
    const fog = { kind: 'fog', podNetwork: true, probes: true };
    const systems = ['p2p', 'openfaas'].map((name) => ({ system: name, subjects: SYSTEMS[name]!.subjects(['get', 'filter-temperature'], { replicas: 2 }, fog) }));
    const faults = [parseFault('memory:filter-temperature=300Mi@1s+20s'), parseFault('memory:filter-temperature-0=200Mi@5s+5s')];
    expect(() => checkFaultSubjects(faults, nodes, systems)).toThrow(
      /^--fault memory:filter-temperature=300Mi@1s\+20s and --fault memory:filter-temperature-0=200Mi@5s\+5s overlap on pod filter-temperature-0 of openfaas: give them times that do not overlap$/,
    );
    // The gateway pod by its name and by its provider container.
    expect(() => checkFaultSubjects([parseFault('memory:gateway=300Mi@1s'), parseFault('memory:gateway-x=1Gi@2s')], nodes, systems)).toThrow(/no system has a unit or service called "gateway-x"/);
    expect(() => checkFaultSubjects([parseFault('memory:filter-temperature-1=300Mi@1s+2s'), parseFault('memory:filter-temperature-0=300Mi@1s+2s')], nodes, systems)).not.toThrow();
  });
});
