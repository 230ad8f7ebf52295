/** Polls a unit's health endpoint until it answers 200, the unit dies, or time runs out. */
import http from 'node:http';
import { deployError } from '../../errors.ts';
import type { Endpoint, RunningUnit } from '../target.ts';

export async function waitHealthy(
  unit: RunningUnit,
  endpoint: Endpoint,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void unit.exited.then(() => (died = true));
  while (Date.now() < deadline) {
    if (signal?.aborted) throw deployError(`deploy of ${unit.name} interrupted`);
    if (died) {
      throw deployError(`${unit.name} exited before it became healthy: ${lastLine(unit.stderrTail()) || 'no output'}`);
    }
    if (await probe(endpoint, path)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw deployError(
    `${unit.name} did not answer GET ${path} on ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms` +
      (unit.stderrTail() ? `: ${lastLine(unit.stderrTail())}` : ''),
  );
}

function probe(endpoint: Endpoint, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: endpoint.host, port: endpoint.port, path, timeout: 1_000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
