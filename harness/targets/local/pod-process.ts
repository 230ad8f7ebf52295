/**
 * One process running inside a pod: in the pod's network namespace and its cgroup(s). A tiny
 * sh wrapper writes its own pid into the cgroups first and only then execs `ip netns exec`,
 * which execs the command: so the command, and everything it forks, starts already inside
 * the node's quota (no window where a child escapes), and keeps the pid we spawned.
 */
import { spawn } from 'node:child_process';
import { ChildUnit, type ExitStatus } from '../process/child-unit.ts';
import { WATCH_OWNER_LINES, WATCHED_STDIO } from '../process/owner-watch.ts';

const JOIN_FAILED = 97;

// $1 = number of cgroup.procs files, then the files, then the command line to exec. The owner
// watcher (owner-watch.ts) is forked first, so it stays outside the pod's cgroup and quota.
const WRAPPER = [
  ...WATCH_OWNER_LINES,
  'n=$1; shift',
  'while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "fogbench: cannot join cgroup $1" >&2; exit ' + JOIN_FAILED + '; }; shift; n=$((n-1)); done',
  'exec "$@" </dev/null',
].join('\n');

export interface PodProcessSpec {
  name: string;
  ipPath: string;
  /** The pod's namespace; undefined runs the process in the host's (the link-delay relays). */
  netns: string | undefined;
  cgroupProcsFiles: string[];
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export type { ExitStatus };

export class PodProcess extends ChildUnit {
  constructor(spec: PodProcessSpec) {
    super(
      spec.name,
      spawn(
        '/bin/sh',
        [
          '-c',
          WRAPPER,
          'fogbench-pod',
          String(spec.cgroupProcsFiles.length),
          ...spec.cgroupProcsFiles,
          ...(spec.netns === undefined ? [] : [spec.ipPath, 'netns', 'exec', spec.netns]),
          spec.command,
          ...spec.args,
        ],
        // Own process group: a Ctrl-C in the terminal reaches the harness, which then stops
        // units in order, instead of killing every unit at once behind its back.
        { cwd: spec.cwd, env: spec.env, stdio: [...WATCHED_STDIO], detached: true },
      ),
      5_000,
    );
  }
}
