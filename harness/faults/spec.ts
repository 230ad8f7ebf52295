/**
 * The `--fault` language (pure). One fault per option, repeatable:
 *
 *   kill:<unit|service|pod/container>@T          SIGKILL the main process (fog) / delete the pod (kube)
 *   partition:<node>@T+D                         the node's link carries nothing for D, then again
 *   cpu:<node>=<cores>@T+D                       the node's CPU quota squeezed to <cores> for D
 *   memory:<unit|service>=<size>@T[+D]           the pod's memory limit lowered (an OOM kill);
 *                                                without +D, until the profile ends
 *   drain:<node>@T+D                             kube: cordon, evict the system's pods, uncordon after D
 *
 * T and D are durations as elsewhere on the command line (500ms, 20s, 1m; a bare number is
 * seconds), T counted from the start of each profile's measured window. A size is bytes or a
 * Kubernetes quantity (64Mi, 1Gi, 500M). Every error is one line naming the fault and what to fix.
 */

export const FAULT_KINDS = ['kill', 'partition', 'cpu', 'memory', 'drain'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSpec {
  /** As given, e.g. "cpu:worker-1=0.1@20s+15s". */
  text: string;
  kind: FaultKind;
  /** A unit, service or pod/container (kill, memory), or a node (partition, cpu, drain). */
  subject: string;
  /** cpu: cores; memory: bytes; absent for the other kinds. */
  amount?: number;
  /** Milliseconds after the window opens. */
  atMs: number;
  /** How long before it is reverted; null: instantaneous (kill) or until the profile ends (memory). */
  durationMs: number | null;
}

/** Thrown with one line a person can act on; the CLI turns it into exit code 2. */
export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
  constructor(
    readonly spec: string,
    /** What to fix, without the spec (commander prints the spec itself). */
    readonly why: string,
  ) {
    super(`--fault ${spec}: ${why}`);
  }
}

/**
 * The `--preset faults` schedule for a 60 s profile: a CPU squeeze, a partition and a kill, each
 * with time to recover before the next, on subjects that hold the same functions in both systems
 * on the default fog (worker-1 holds get and display, worker-3 compute-average; filter-temperature
 * is a service of both). The kill comes last: the kubelet's 10 s restart back-off makes its
 * recovery the longest. The first fault at 8 s leaves 8 fault-free seconds for the baseline.
 */
export const PRESET_FAULTS: readonly string[] = ['cpu:worker-1=0.05@8s+5s', 'partition:worker-3@20s+4s', 'kill:filter-temperature@33s'];

/** Which kinds act on nodes (the rest act on units and services). */
export const NODE_FAULTS: ReadonlySet<FaultKind> = new Set(['partition', 'cpu', 'drain']);

const GRAMMAR = 'kill:SERVICE@T, partition:NODE@T+D, cpu:NODE=CORES@T+D, memory:SERVICE=SIZE@T[+D] or drain:NODE@T+D';
const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\/[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/;
const TIME_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
/** Below this a limit kills any process at once, above this it is a typo. */
const MEMORY_RANGE = { min: 2 ** 20, max: 2 ** 50 };
/** cgroups give 1 ms per 100 ms period at least; above that, a typo. */
const CPU_RANGE = { min: 0.01, max: 1024 };

function parseTime(value: string, what: string, fail: (why: string) => never): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value);
  if (!m) fail(`${what} "${value}" is not a duration: use e.g. 500ms, 20s or 1m`);
  const ms = Math.round(Number(m[1]) * TIME_UNITS[m[2] ?? 's']!);
  if (!Number.isSafeInteger(ms)) fail(`${what} "${value}" is too long to be a time in a profile`);
  return ms;
}

/** "64Mi" → 67108864; null when it is not a size. */
export function parseSize(value: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|K|M|G)?$/.exec(value);
  if (!m) return null;
  return Math.round(Number(m[1]) * SIZE_UNITS[m[2] ?? '']!);
}

export function parseFault(text: string): FaultSpec {
  const fail: (why: string) => never = (why) => {
    throw new FaultSpecError(text, why);
  };
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) fail(`write KIND:SUBJECT@TIME, one of ${GRAMMAR}`);
  const kind = trimmed.slice(0, colon) as FaultKind;
  if (!FAULT_KINDS.includes(kind)) fail(`unknown fault "${trimmed.slice(0, colon)}": use ${FAULT_KINDS.join(', ')} (${GRAMMAR})`);
  const rest = trimmed.slice(colon + 1);
  const at = rest.lastIndexOf('@');
  if (at < 0) fail(`say when with @TIME after the subject, e.g. ${kind}:${rest || 'NAME'}@20s`);
  const [subjectPart, timePart] = [rest.slice(0, at), rest.slice(at + 1)];
  const eq = subjectPart.indexOf('=');
  const subject = eq < 0 ? subjectPart : subjectPart.slice(0, eq);
  const amountText = eq < 0 ? null : subjectPart.slice(eq + 1);
  if (subject === '') fail(`name the ${NODE_FAULTS.has(kind) ? 'node' : 'unit or service'} after "${kind}:"`);
  if (!NAME.test(subject)) fail(`"${subject}" is not a node, unit or service name (lower-case letters, digits and dashes; pod/container for one container)`);
  if (NODE_FAULTS.has(kind) && subject.includes('/')) fail(`${kind} acts on a node: give a node name, not "${subject}"`);
  if (kind === 'memory' && subject.includes('/')) fail('memory lowers a pod\'s limit: give the pod or service, not a container');

  let amount: number | undefined;
  if (kind === 'cpu') {
    if (amountText === null) fail(`give the squeezed quota in cores, e.g. cpu:${subject}=0.1@${timePart}`);
    if (!/^\d+(\.\d+)?$/.test(amountText) || !(Number(amountText) >= CPU_RANGE.min && Number(amountText) <= CPU_RANGE.max)) {
      fail(`the CPU quota must be a number of cores from ${CPU_RANGE.min} to ${CPU_RANGE.max}, e.g. 0.1 (got "${amountText}")`);
    }
    amount = Number(amountText);
  } else if (kind === 'memory') {
    if (amountText === null) fail(`give the lowered limit, e.g. memory:${subject}=64Mi@${timePart}`);
    const bytes = parseSize(amountText);
    if (bytes === null) fail(`"${amountText}" is not a size: use bytes or a quantity such as 64Mi, 1Gi or 500M`);
    if (bytes < MEMORY_RANGE.min || bytes > MEMORY_RANGE.max) fail(`the memory limit must be from 1Mi to 1Pi (got "${amountText}")`);
    amount = bytes;
  } else if (amountText !== null) {
    fail(`${kind} takes no "=${amountText}": write ${kind}:${subject}@${timePart}`);
  }

  const plus = timePart.indexOf('+');
  const atText = plus < 0 ? timePart : timePart.slice(0, plus);
  const forText = plus < 0 ? null : timePart.slice(plus + 1);
  if (atText === '') fail(`say when after "@", e.g. @20s`);
  const atMs = parseTime(atText, 'start time', fail);
  let durationMs: number | null = null;
  if (forText !== null) {
    if (kind === 'kill') fail(`a kill is instantaneous: drop "+${forText}" (the unit restarts by itself, as a pod would)`);
    durationMs = parseTime(forText, 'duration', fail);
    if (durationMs <= 0) fail('the duration after "+" must be greater than zero');
  } else if (kind === 'partition' || kind === 'cpu' || kind === 'drain') {
    fail(`say how long with +D, e.g. ${kind}:${subject}${amountText === null ? '' : `=${amountText}`}@${atText}+10s`);
  }
  return { text: trimmed, kind, subject, ...(amount === undefined ? {} : { amount }), atMs, durationMs };
}

/** When a fault stops acting, or null when it lasts until the profile ends (or is instantaneous). */
export function faultEndMs(fault: FaultSpec): number | null {
  return fault.durationMs === null ? null : fault.atMs + fault.durationMs;
}

/** Every fault must start inside the profile's window. Returns one line naming what to fix, or null. */
export function checkSchedule(faults: readonly FaultSpec[], durationMs: number): string | null {
  for (const fault of faults) {
    if (fault.atMs >= durationMs) {
      return `--fault ${fault.text} starts at ${fault.atMs / 1000}s, after the ${durationMs / 1000}s profile ends: give an earlier time or a longer --duration`;
    }
  }
  return null;
}

/**
 * Two faults of one kind must not act on one thing at the same time: the second would save the
 * first's lowered value as the one to restore. `reach` says what a fault acts on (the pods a
 * service and one of its replicas both name, a node); a kill is instantaneous and never overlaps.
 * Returns one line naming what to fix, or null.
 */
export function checkOverlaps(faults: readonly FaultSpec[], reach: (fault: FaultSpec) => readonly string[]): string | null {
  for (const [i, a] of faults.entries()) {
    for (const b of faults.slice(i + 1)) {
      if (a.kind !== b.kind || a.kind === 'kill') continue;
      const aEnd = faultEndMs(a) ?? Infinity;
      const bEnd = faultEndMs(b) ?? Infinity;
      if (!(a.atMs < bEnd && b.atMs < aEnd)) continue;
      const shared = reach(a).find((x) => reach(b).includes(x));
      if (shared !== undefined) return `--fault ${a.text} and --fault ${b.text} overlap on ${shared}: give them times that do not overlap`;
    }
  }
  return null;
}

/** Sorted by start time (stable): the order they are applied in. */
export function sortSchedule(faults: readonly FaultSpec[]): FaultSpec[] {
  return [...faults].sort((a, b) => a.atMs - b.atMs);
}

/** "cpu worker-1 → 0.1 cores, 20–35 s" for tables and progress lines. */
export function describeFault(fault: FaultSpec): string {
  const amount =
    fault.kind === 'cpu' ? ` → ${fault.amount} cores` : fault.kind === 'memory' ? ` → ${formatBytes(fault.amount ?? 0)}` : '';
  const end = faultEndMs(fault);
  const when = end === null ? `at ${fault.atMs / 1000} s${fault.kind === 'memory' ? ' (until the profile ends)' : ''}` : `${fault.atMs / 1000}–${end / 1000} s`;
  return `${fault.kind} ${fault.subject}${amount}, ${when}`;
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)}Mi` : `${bytes} B`;
}
