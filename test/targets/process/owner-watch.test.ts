/**
 * Every unit dies with its owner (issue 13): units started by a process that is then SIGKILLed
 * (no handler can run) are gone within seconds, their children too; and a unit stopped the
 * normal way leaves no watcher behind.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnUnit } from '../../../harness/targets/process/child-unit.ts';
import { commandOf, descendantsOf, isAlive } from '../../helpers/processes.ts';

const FIXTURE = fileURLToPath(new URL('../../fixtures/local/own-units.mts', import.meta.url));

async function waitUntil(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('units die with their owner', () => {
  it('ends every unit and its children within seconds of a SIGKILL of the owner', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => createInterface({ input: owner.stdout! }).once('line', resolve));
    const { pids } = JSON.parse(line) as { pids: number[] };
    expect(pids).toHaveLength(4);
    expect(pids.every(isAlive)).toBe(true);
    owner.kill('SIGKILL');
    expect(await waitUntil(() => !pids.some(isAlive), 5_000)).toBe(true);
  }, 30_000);

  it('leaves no watcher once a unit is stopped', async () => {
    const unit = spawnUnit('sleeper', 'sleep', ['300'], { env: { PATH: process.env.PATH ?? '' } });
    await new Promise((r) => setTimeout(r, 300));
    const watchers = descendantsOf(unit.pid!);
    expect(watchers.length).toBeGreaterThan(0);
    await unit.stop('SIGTERM', 1_000);
    // 'exited' comes once the watcher closed its files (it holds stderr until it ends); the
    // kernel may need a moment more to turn it into a zombie.
    await waitUntil(() => ![unit.pid!, ...watchers].some(isAlive), 1_000);
    expect([unit.pid!, ...watchers].filter(isAlive).map((pid) => `${pid} ${commandOf(pid)}`)).toEqual([]);
  });
});
