/**
 * Waits until a unit answers 200 on its health path (for the fog target, from the host side of
 * its switch).
 * Gives up early when the unit's process ends, so a crash is reported at once with why.
 */
import { request } from 'node:http';

export type HealthOutcome = 'ready' | 'exited' | 'timeout' | 'aborted';

export async function waitHealthy(
  url: string,
  timeoutMs: number,
  exited: Promise<unknown>,
  signal?: AbortSignal,
): Promise<HealthOutcome> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) return 'exited';
    if (signal?.aborted) return 'aborted';
    if ((await probe(url, Math.min(1000, Math.max(1, deadline - Date.now())))) === 200) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return gone ? 'exited' : 'timeout';
}

/** One GET without keep-alive; the status code, or 0 when it failed to connect or timed out. */
export function probe(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}
