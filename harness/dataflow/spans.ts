/**
 * One span per request per service, written as NDJSON on stdout, batched so that a busy
 * service does not pay one write system call per request.
 */
import { after, type Timer } from '../timers.ts';

export type SpanOutcome = 'ok' | 'function-error' | 'forwarded-error' | 'timeout' | 'network' | 'rejected';

export interface Span {
  requestId: string;
  service: string;
  node: string;
  /** Epoch milliseconds (fractional): request received (its head parsed, the body may follow). */
  start: number;
  /**
   * The scenario's function started and ended (its call and its promise settled), stamped at
   * the same points in p2p services and OpenFaaS functions: after the request body is decoded
   * (JSON.parse) and before the result is encoded (JSON.stringify), so decoding and encoding
   * are in the hop gaps' parts, not in function time. Equal to start when the function did
   * not run.
   */
  fnStart: number;
  fnEnd: number;
  /** Response sent to the caller. */
  end: number;
  outcome: SpanOutcome;
  /** The service this one called next, if any. */
  next?: string;
}

export function isSpan(value: unknown): value is Span {
  const s = value as Partial<Span> | null;
  return (
    typeof s === 'object' && s !== null && typeof s.requestId === 'string' && typeof s.service === 'string' &&
    typeof s.start === 'number' && typeof s.fnEnd === 'number' && typeof s.end === 'number'
  );
}

/** Wall-clock epoch milliseconds with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class SpanWriter {
  private buffer: string[] = [];
  private timer: Timer | undefined;

  constructor(
    private readonly write: (chunk: string) => void,
    private readonly flushEveryMs = 100,
    private readonly maxBuffered = 256,
  ) {}

  add(span: Span): void {
    this.buffer.push(JSON.stringify(span));
    if (this.buffer.length >= this.maxBuffered) this.flush();
    else this.timer ??= after(this.flushEveryMs, () => this.flush());
  }

  flush(): void {
    this.timer?.clear();
    this.timer = undefined;
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.write(chunk);
  }
}
