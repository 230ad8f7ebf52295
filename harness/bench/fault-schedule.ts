/**
 * The --fault schedule of one profile: each fault applied at its time after the measured
 * window opens, reverted when its duration runs out, and whatever is still in effect reverted
 * when the load ends (the target reverts the rest on dispose). Then, on the profile's result,
 * each fault's outcome and its recovery (harness/faults/recovery.ts), and a `fault-start` /
 * `fault-end` event on the timeline for each.
 *
 * Also the checks made before anything runs (nothing prepared, nothing compiled): what the target
 * refuses, nodes it does not have, subjects that no system of the run has, and faults of one
 * kind overlapping on one pod or node.
 */
import { usageError } from '../errors.ts';
import { analyseRecovery, type FaultWindow } from '../faults/recovery.ts';
import { checkOverlaps, checkSchedule, describeFault, NODE_FAULTS, sortSchedule, type FaultSpec } from '../faults/spec.ts';
import type { ClusterEvent, FaultOutcome, ProfileResult } from '../results/schema.ts';
import type { FaultSubjects } from '../systems/system.ts';
import type { Deployment, FaultInjector, Target } from '../targets/target.ts';
import { after, type Timer } from '../timers.ts';

/** Faults the target cannot inject at all, and the schedule's times. */
export function checkFaultsBeforeRun(faults: readonly FaultSpec[], target: Pick<Target, 'kind' | 'capabilities'>, durationMs: number): void {
  if (faults.length === 0) return;
  const injector = target.capabilities.faults;
  if (!injector) throw usageError(`--fault: the ${target.kind} target cannot inject faults (use --target fog or kube)`);
  for (const fault of faults) {
    const refusal = injector.refuses(fault);
    if (refusal) throw usageError(refusal);
  }
  const problem = checkSchedule(faults, durationMs);
  if (problem) throw usageError(problem);
}

/** A system of the run and what its --fault subjects reach (System.subjects). */
export interface SystemSubjects {
  system: string;
  subjects: FaultSubjects;
}

/**
 * Before the target is prepared and anything compiled: node faults must name one of the target's
 * nodes (not the client's: a fault there measures the load generator), unit faults something at
 * least one system has (a system without it gets "not applicable" later), and no two faults of
 * one kind may act on one pod or node at once, a service and one of its replicas named apart
 * included.
 */
export function checkFaultSubjects(faults: readonly FaultSpec[], nodes: readonly { name: string; role: string }[], systems: readonly SystemSubjects[]): void {
  for (const fault of faults) {
    if (NODE_FAULTS.has(fault.kind)) {
      const node = nodes.find((n) => n.name === fault.subject);
      const names = nodes.filter((n) => n.role !== 'client').map((n) => n.name).join(', ');
      if (!node) throw usageError(`--fault ${fault.text}: there is no node "${fault.subject}" (nodes: ${names})`);
      if (node.role === 'client') throw usageError(`--fault ${fault.text}: ${fault.subject} holds the load generator, so a fault there measures the client; pick one of ${names}`);
      continue;
    }
    if (!systems.some((s) => s.subjects.has(fault.subject))) {
      const listing = systems.map((s) => `${s.system}: ${[...s.subjects.keys()].sort().join(', ')}`).join('; ');
      throw usageError(`--fault ${fault.text}: no system has a unit or service called "${fault.subject}" (${listing})`);
    }
  }
  const reach = (fault: FaultSpec) =>
    NODE_FAULTS.has(fault.kind)
      ? [`node ${fault.subject}`]
      : systems.flatMap((s) => (s.subjects.get(fault.subject) ?? []).map((pod) => `pod ${pod} of ${s.system}`));
  const overlap = checkOverlaps(faults, reach);
  if (overlap) throw usageError(overlap);
}

/** The outcome of one profile's schedule, before recovery is known. */
export interface ScheduledFaults {
  epochMs: number | null;
  outcomes: Omit<FaultOutcome, 'recovery'>[];
}

export interface FaultRun {
  /** The window opened at `epochMs`: every fault is timed from it. */
  start(epochMs: number): void;
  /** Stops the schedule and reverts what is still in effect. Safe to call twice. */
  finish(): Promise<ScheduledFaults>;
}

export function scheduleFaults(
  faults: readonly FaultSpec[],
  injector: FaultInjector,
  deployment: Deployment,
  onMessage: (message: string) => void = () => {},
): FaultRun {
  const ordered = sortSchedule(faults);
  const outcomes: Omit<FaultOutcome, 'recovery'>[] = ordered.map((fault) => ({
    fault,
    status: 'not-reached',
    detail: 'the measured window closed before its time',
    targets: [],
    startedAt: null,
    endedAt: null,
    reverted: null,
    endedBy: null,
  }));
  const timers = new Set<Timer>();
  const reverts = new Map<number, () => Promise<void>>();
  const pending = new Set<Promise<void>>();
  let epochMs: number | null = null;
  let finished: Promise<ScheduledFaults> | null = null;
  const now = () => Math.round(Date.now() - epochMs!) / 1000;
  const later = (ms: number, work: () => Promise<void>) => {
    // after(): a fault may last longer than one Node timer holds (2^31 − 1 ms).
    const timer = after(ms, () => {
      timers.delete(timer);
      const p = work().finally(() => pending.delete(p));
      pending.add(p);
    });
    timers.add(timer);
  };

  const apply = async (index: number) => {
    const outcome = outcomes[index]!;
    const fault = outcome.fault as FaultSpec;
    try {
      const result = await injector.apply(fault, deployment);
      if (!result.applied) {
        Object.assign(outcome, { status: 'not-applicable', detail: result.reason });
        onMessage(`fault ${fault.text}: not applicable (${result.reason})`);
        return;
      }
      Object.assign(outcome, { status: 'applied', detail: result.detail, targets: result.targets, startedAt: now() });
      onMessage(`fault at ${outcome.startedAt} s: ${result.detail}`);
      if (result.revert === null) {
        Object.assign(outcome, { endedAt: outcome.startedAt, endedBy: 'instant' });
        return;
      }
      const revert = result.revert;
      let once: Promise<void> | null = null;
      const undo = (endedBy: 'duration' | 'profile-end') =>
        (once ??= revert().then(
          (how) => {
            Object.assign(outcome, { endedAt: now(), reverted: how, endedBy });
            onMessage(`fault ${fault.text} reverted at ${outcome.endedAt} s: ${how}`);
          },
          (error: unknown) => {
            Object.assign(outcome, { endedAt: now(), reverted: `revert failed: ${(error as Error).message}`, endedBy });
          },
        ));
      reverts.set(index, () => undo('profile-end'));
      if (fault.durationMs !== null) later(fault.atMs + fault.durationMs - (Date.now() - epochMs!), () => undo('duration'));
    } catch (error) {
      Object.assign(outcome, { status: 'failed', detail: (error as Error).message, startedAt: now() });
      onMessage(`fault ${fault.text} failed: ${(error as Error).message}`);
    }
  };

  return {
    start(at) {
      if (epochMs !== null || finished) return;
      epochMs = at;
      for (const [index, fault] of ordered.entries()) later(fault.atMs - (Date.now() - at), () => apply(index));
    },
    finish() {
      return (finished ??= (async () => {
        for (const timer of timers) timer.clear();
        timers.clear();
        // A fault being applied right now finishes applying, so that it is reverted below.
        while (pending.size > 0) await Promise.all([...pending]);
        if (epochMs === null) for (const o of outcomes) o.detail = 'the measured window never opened';
        for (const revert of reverts.values()) await revert();
        return { epochMs, outcomes };
      })());
    },
  };
}

/**
 * Puts the schedule's outcome on a profile result: `faults` with each applied fault's recovery,
 * and a fault-start / fault-end event for each on the timeline.
 */
export function attachFaults(result: ProfileResult, scheduled: ScheduledFaults): void {
  const applied = scheduled.outcomes.filter((o) => o.status === 'applied' && o.startedAt !== null);
  const windows = new Map<Omit<FaultOutcome, 'recovery'>, FaultWindow>(
    applied.map((o) => [o, { start: o.startedAt!, end: recoveryEnd(o), label: o.fault.text }]),
  );
  const firstStart = Math.min(...applied.map((o) => o.startedAt!));
  result.faults = scheduled.outcomes.map((o) => ({
    ...o,
    recovery: windows.has(o) ? analyseRecovery(result.timeline, result.durationSeconds, windows.get(o)!, firstStart, [...windows.values()]) : null,
  }));
  if (scheduled.epochMs === null) return;
  const events: ClusterEvent[] = [];
  const at = (t: number) => new Date(scheduled.epochMs! + t * 1000).toISOString();
  for (const o of applied) {
    const node = NODE_FAULTS.has(o.fault.kind as FaultSpec['kind']) ? { node: o.fault.subject } : {};
    events.push({ t: o.startedAt!, at: at(o.startedAt!), kind: 'fault-start', subject: o.fault.subject, ...node, detail: `${describeFault(o.fault as FaultSpec)}: ${o.detail}` });
    if (o.reverted !== null && o.endedAt !== null) {
      events.push({ t: o.endedAt, at: at(o.endedAt), kind: 'fault-end', subject: o.fault.subject, ...node, detail: `${o.fault.text}: ${o.reverted}` });
    }
  }
  result.events = [...result.events, ...events].sort((a, b) => a.t - b.t);
}

/**
 * When a fault stopped acting, for recovery: its revert, or its start for a kill and for a
 * memory limit left in place to the profile's end (the OOM kill is the event; whether the
 * system comes back under the lower limit is what recovery then says).
 */
function recoveryEnd(o: Omit<FaultOutcome, 'recovery'>): number {
  if (o.endedBy === 'instant' || (o.fault.kind === 'memory' && o.fault.durationMs === null)) return o.startedAt!;
  return o.endedAt ?? o.startedAt!;
}
