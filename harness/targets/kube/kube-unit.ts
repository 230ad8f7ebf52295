/** A p2p unit running as a pod: its log is its output, removing it is stopping it. */
import type { RunningUnit } from '../target.ts';
import type { LogFollower } from './pod-logs.ts';

/**
 * A unit as a pod. Kubernetes restarts a crashed container in place (the observer reports it),
 * so `exited` resolves only when fogbench removes the unit.
 */
export function kubeUnit(name: string, follower: LogFollower, remove: () => Promise<void>): RunningUnit {
  let resolveExit: (value: { code: number | null; signal: NodeJS.Signals | null }) => void = () => {};
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (resolveExit = r));
  return {
    name,
    pid: undefined,
    exited,
    onLine: (listener) => follower.onLine(listener),
    // Kubernetes merges stdout and stderr into one log: its tail is the best error context.
    stderrTail: () => follower.tail(),
    async stop() {
      follower.stop();
      await remove();
      resolveExit({ code: null, signal: 'SIGTERM' });
    },
  };
}
