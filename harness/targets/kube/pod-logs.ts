/**
 * Follows a pod's log (stdout and stderr, as Kubernetes merges them) and hands over complete
 * lines: spans are NDJSON lines on stdout. When the stream ends (container restart, API server
 * hiccup) it reconnects from the last timestamp it saw, so a restart loses no span and
 * repeats none.
 */
import { Writable } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import { after, type Timer } from '../../timers.ts';

const TAIL_BYTES = 64 * 1024;

export interface LogFollower {
  onLine(listener: (line: string) => void): void;
  /** The last 64 KiB of the log, for error messages. */
  tail(): string;
  stop(): void;
}

/** Splits "2024-05-01T10:00:00.123456789Z message" into its parts. */
export function splitTimestamp(line: string): { at: string | null; text: string } {
  const space = line.indexOf(' ');
  if (space > 0 && /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(line.slice(0, space))) {
    return { at: line.slice(0, space), text: line.slice(space + 1) };
  }
  return { at: null, text: line };
}

/** RFC 3339 timestamps with different fraction lengths do not sort as strings; these do. */
function timeKey(at: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(at);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}${m[3]}` : at;
}

export function followPodLogs(kc: KubeConfig, namespace: string, pod: string, container: string, options: { retryMs?: number } = {}): LogFollower {
  const listeners: ((line: string) => void)[] = [];
  let tail = '';
  let stopped = false;
  let lastAt: string | null = null;
  let abort: AbortController | undefined;
  let pending = '';

  const emit = (raw: string) => {
    const { at, text } = splitTimestamp(raw);
    if (at !== null) {
      if (lastAt !== null && timeKey(at) <= timeKey(lastAt)) return; // already seen before a reconnect
      lastAt = at;
    }
    tail = (tail + text + '\n').slice(-TAIL_BYTES);
    for (const l of listeners) l(text);
  };

  const connect = async (): Promise<void> => {
    if (stopped) return;
    pending = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) emit(line.replace(/\r$/, ''));
        callback();
      },
      final(callback) {
        if (pending !== '') emit(pending);
        pending = '';
        callback();
        reconnectLater();
      },
    });
    sink.on('error', () => reconnectLater());
    try {
      abort = await new Log(kc).log(namespace, pod, container, sink, {
        follow: true,
        timestamps: true,
        ...(lastAt ? { sinceTime: lastAt } : {}),
      });
    } catch {
      reconnectLater();
    }
  };

  let retryTimer: Timer | undefined;
  const reconnectLater = () => {
    if (stopped || retryTimer) return;
    retryTimer = after(options.retryMs ?? 1_000, () => {
      retryTimer = undefined;
      void connect();
    }).unref();
  };

  void connect();
  return {
    onLine: (listener) => void listeners.push(listener),
    tail: () => tail,
    stop: () => {
      stopped = true;
      retryTimer?.clear();
      abort?.abort();
    },
  };
}
