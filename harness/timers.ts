/**
 * Timers for delays that are computed (from options, a fault's schedule, a spec file) rather
 * than written as constants. Node keeps at most 2^31 − 1 ms (about 24.8 days) in one timer: a
 * longer delay, or Infinity, fires after 1 ms with only a TimeoutOverflowWarning on stderr, so a
 * fault lasting 1000 h was reverted after 1 ms. Here a longer delay is waited in steps of at most
 * that, Infinity never fires, and a negative or NaN delay fires at once, as Node does.
 *
 * Every setTimeout/setInterval in harness/ with a delay that is not a constant goes through this
 * module (test/timers.test.ts checks the sources).
 */

/** The longest delay one Node timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Timer {
  clear(): void;
  /** Lets the process exit while it waits (as Timeout.unref). */
  unref(): Timer;
}

/** Calls `fn` once, `ms` from now, whatever `ms` is. */
export function after(ms: number, fn: () => void): Timer {
  return new SteppedTimer(Number.isNaN(ms) ? 0 : ms, fn);
}

/**
 * One Node timer for a delay it can hold (the load drivers set one per request: no more cost
 * than setTimeout's own), a chain of them for a longer one, none for Infinity.
 */
class SteppedTimer implements Timer {
  private handle: NodeJS.Timeout | null = null;
  private weak = false;

  constructor(ms: number, fn: () => void) {
    this.arm(ms, fn, ms > MAX_TIMER_MS ? performance.now() + ms : 0);
  }

  private arm(ms: number, fn: () => void, due: number): void {
    if (ms === Infinity) return;
    this.handle = ms <= MAX_TIMER_MS ? setTimeout(fn, ms > 0 ? ms : 0) : setTimeout(() => this.arm(due - performance.now(), fn, due), MAX_TIMER_MS);
    if (this.weak) this.handle.unref();
  }

  clear(): void {
    if (this.handle !== null) clearTimeout(this.handle);
    this.handle = null;
  }

  unref(): Timer {
    this.weak = true;
    this.handle?.unref();
    return this;
  }
}

/** Resolves `ms` from now, or at once when `signal` is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      timer.clear();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = after(ms, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Calls `fn` every `ms` (from 1 ms to MAX_TIMER_MS: a computed period outside that is a bug). */
export function every(ms: number, fn: () => void): NodeJS.Timeout {
  if (!(ms >= 1 && ms <= MAX_TIMER_MS)) throw new RangeError(`a timer period of ${ms} ms is outside 1 ms to ${MAX_TIMER_MS} ms`);
  return setInterval(fn, ms);
}
