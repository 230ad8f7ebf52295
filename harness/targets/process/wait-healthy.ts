/** Health waiting as a deploy step: the shared poll, with each way it can fail as a deployError. */
import { deployError } from '../../errors.ts';
import type { Endpoint, RunningUnit } from '../target.ts';
import { waitHealthy } from './health.ts';

export async function waitUnitHealthy(
  unit: RunningUnit,
  endpoint: Endpoint,
  path: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const outcome = await waitHealthy(`http://${endpoint.host}:${endpoint.port}${path}`, timeoutMs, unit.exited, signal);
  const why = lastLine(unit.stderrTail());
  if (outcome === 'ready') return;
  if (outcome === 'aborted') throw deployError(`deploy of ${unit.name} interrupted`);
  if (outcome === 'exited') throw deployError(`${unit.name} exited before it became healthy: ${why || 'no output'}`);
  throw deployError(`${unit.name} did not answer GET ${path} on ${endpoint.host}:${endpoint.port} within ${timeoutMs} ms${why ? `: ${why}` : ''}`);
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
