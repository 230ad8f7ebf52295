/**
 * What costs what in V8 CPU profiles (`node --cpu-prof`): each sample's time goes to the frame
 * it was taken in (its self time), summed into a few categories a reader can act on. A native
 * frame (no script: a syscall such as writev, a builtin) takes the category of the JavaScript
 * that called it. Pure: parsed .cpuprofile files in, milliseconds per category out.
 */

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** ms per category, idle left out. */
  byCategory: Map<string, number>;
  /** ms per function of the service's own bundle (`name file:line` keys). */
  byOwnFunction: Map<string, number>;
}

const SOCKET_SYSCALLS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

/** The category of a frame, or null for a native frame without one of its own. */
function categoryOf(functionName: string, url: string, ownCode: (url: string) => boolean): string | null {
  if (url === '') {
    if (SOCKET_SYSCALLS.has(functionName)) return 'socket writes (syscalls; on loopback they carry the receiver\'s TCP work too)';
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)' || functionName === '(root)') return 'V8 and native, unattributed';
    return null;
  }
  if (ownCode(url)) return 'the service\'s own code (handler, routing, spans, scenario function, JSON)';
  if (/node:_http_/.test(url)) return 'node:http (parsing, headers, agent)';
  if (/node:net|stream_base_commons|node:internal\/streams|node:stream/.test(url)) return 'sockets and streams (JavaScript side)';
  if (/node:events|node:internal\/timers|task_queues|node:timers/.test(url)) return 'events, timers, ticks';
  if (/node:buffer|internal\/buffer/.test(url)) return 'buffers';
  return 'other Node internals';
}

export function summarizeProfiles(profiles: readonly CpuProfile[], ownCode: (url: string) => boolean): ProfileSummary {
  const byCategory = new Map<string, number>();
  const byOwnFunction = new Map<string, number>();
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const category = new Map<number, string>();
    const resolve = (id: number): string => {
      const known = category.get(id);
      if (known !== undefined) return known;
      const frame = byId.get(id)!.callFrame;
      const own = categoryOf(frame.functionName, frame.url, ownCode);
      const up = parent.get(id);
      const c = own ?? (up === undefined ? 'V8 and native, unattributed' : resolve(up));
      category.set(id, c);
      return c;
    };
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const c = resolve(id);
      if (c === 'idle') return;
      byCategory.set(c, (byCategory.get(c) ?? 0) + ms);
      const frame = byId.get(id)!.callFrame;
      if (frame.url !== '' && ownCode(frame.url)) {
        const key = frame.functionName || '(anonymous)';
        byOwnFunction.set(key, (byOwnFunction.get(key) ?? 0) + ms);
      }
    });
  }
  return { byCategory, byOwnFunction };
}
