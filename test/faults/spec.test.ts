import { describe, expect, it } from 'vitest';
import { checkOverlaps, checkSchedule, describeFault, FaultSpecError, parseFault, parseSize, PRESET_FAULTS, type FaultSpec } from '../../harness/faults/spec.ts';

const error = (text: string): string => {
  try {
    parseFault(text);
  } catch (e) {
    expect(e).toBeInstanceOf(FaultSpecError);
    return (e as Error).message;
  }
  throw new Error(`${text} parsed`);
};

describe('--fault grammar', () => {
  it('parses every kind', () => {
    expect(parseFault('kill:filter-temperature@20s')).toEqual({ text: 'kill:filter-temperature@20s', kind: 'kill', subject: 'filter-temperature', atMs: 20_000, durationMs: null });
    expect(parseFault('kill:gateway/provider@1.5')).toMatchObject({ subject: 'gateway/provider', atMs: 1500 });
    expect(parseFault('partition:worker-2@20s+10s')).toMatchObject({ kind: 'partition', subject: 'worker-2', atMs: 20_000, durationMs: 10_000 });
    expect(parseFault('cpu:worker-1=0.1@20s+15s')).toMatchObject({ kind: 'cpu', subject: 'worker-1', amount: 0.1, durationMs: 15_000 });
    expect(parseFault('memory:compute-average=64Mi@20s')).toMatchObject({ kind: 'memory', amount: 64 * 2 ** 20, durationMs: null });
    expect(parseFault('memory:compute-average=500M@1m+500ms')).toMatchObject({ amount: 500e6, atMs: 60_000, durationMs: 500 });
    expect(parseFault('drain:agent-1@0s+30s')).toMatchObject({ kind: 'drain', atMs: 0, durationMs: 30_000 });
  });

  it('says what to fix, in one line naming the fault', () => {
    const cases: [string, RegExp][] = [
      ['filter-temperature@20s', /KIND:SUBJECT@TIME/],
      ['crash:x@1s', /unknown fault "crash": use kill, partition, cpu, memory, drain/],
      ['kill:x', /@TIME/],
      ['kill:@1s', /name the unit or service/],
      ['kill:Bad_Name@1s', /not a node, unit or service name/],
      ['kill:x@1s+2s', /a kill is instantaneous: drop "\+2s"/],
      ['kill:x=3@1s', /kill takes no "=3"/],
      ['kill:x@soon', /start time "soon" is not a duration/],
      ['partition:worker-2@20s', /say how long with \+D, e.g. partition:worker-2@20s\+10s/],
      ['partition:a/b@1s+1s', /acts on a node/],
      ['cpu:worker-1@1s+1s', /give the squeezed quota in cores, e.g. cpu:worker-1=0.1@1s\+1s/],
      ['cpu:worker-1=0@1s+1s', /from 0.01 to 1024/],
      ['cpu:worker-1=lots@1s+1s', /got "lots"/],
      ['memory:x@1s', /give the lowered limit, e.g. memory:x=64Mi@1s/],
      ['memory:x=64MB@1s', /"64MB" is not a size/],
      ['memory:x=100@1s', /from 1Mi/],
      ['memory:x/c=64Mi@1s', /not a container/],
      ['cpu:w=0.1@1s+0s', /greater than zero/],
      [`cpu:w=0.1@1s+${'9'.repeat(400)}h`, /duration "9+h" is too long to be a time in a profile/],
    ];
    for (const [text, expected] of cases) {
      const message = error(text);
      expect(message).toMatch(expected);
      expect(message.startsWith(`--fault ${text}: `)).toBe(true);
      expect(message).not.toContain('\n');
    }
  });

  it('reads sizes as bytes or Kubernetes quantities', () => {
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('64Mi')).toBe(67_108_864);
    expect(parseSize('1Gi')).toBe(2 ** 30);
    expect(parseSize('1.5G')).toBe(1.5e9);
    expect(parseSize('64MB')).toBeNull();
  });

  it('checks a schedule against the profile: starts inside it, no overlap on what the faults reach', () => {
    const f = (text: string) => parseFault(text);
    const bySubject = (fault: FaultSpec) => [fault.subject];
    expect(checkSchedule([f('kill:a@10s'), f('cpu:w=0.1@20s+50s')], 60_000)).toBeNull();
    expect(checkSchedule([f('kill:a@60s')], 60_000)).toMatch(/starts at 60s, after the 60s profile ends/);
    expect(checkOverlaps([f('cpu:w=0.1@10s+10s'), f('cpu:w=0.2@15s+10s')], bySubject)).toMatch(/overlap on w/);
    expect(checkOverlaps([f('cpu:w=0.1@10s+10s'), f('cpu:w=0.2@20s+10s')], bySubject)).toBeNull();
    expect(checkOverlaps([f('memory:a=64Mi@10s'), f('memory:a=32Mi@50s')], bySubject)).toMatch(/overlap/);
    expect(checkOverlaps([f('kill:a@10s'), f('kill:a@10s')], bySubject)).toBeNull();
    expect(checkOverlaps([f('partition:w@10s+5s'), f('cpu:w=0.1@10s+5s')], bySubject)).toBeNull();
    // A service and its replica, resolved to one pod.
    expect(checkOverlaps([f('memory:svc=64Mi@10s'), f('memory:svc-0=32Mi@20s')], (x) => (x.subject === 'svc' ? ['svc-0', 'svc-1'] : [x.subject]))).toMatch(/overlap on svc-0/);
  });

  it('has a preset schedule that fits a 60 s profile and leaves time to recover between faults', () => {
    const faults = PRESET_FAULTS.map((f) => parseFault(f));
    expect(faults.map((f) => f.kind).sort()).toEqual(['cpu', 'kill', 'partition']);
    expect(checkSchedule(faults, 60_000)).toBeNull();
    expect(faults[0]!.atMs).toBeGreaterThanOrEqual(5_000); // a baseline before the first
    for (const [i, f] of faults.entries()) {
      const next = faults[i + 1];
      const end = f.atMs + (f.durationMs ?? 0);
      // Recovery and its 5 healthy seconds between faults; the kill's restart back-off (10 s) and more after the last.
      expect((next?.atMs ?? 60_000) - end).toBeGreaterThanOrEqual(next ? 7_000 : 20_000);
    }
    expect(describeFault(faults[0]!)).toBe('cpu worker-1 → 0.05 cores, 8–13 s');
  });
});
