/** `bench --sweep` refuses what it cannot do before anything runs, with one line saying why. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

describe('bench --sweep usage errors', () => {
  it('refuses --predict without --sweep', async () => {
    const r = await runCli(['bench', '--predict', 'scenarios/temperature.ts', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--predict needs --sweep/);
  });

  it('refuses to sweep a scenario file, and says to give it as --predict', async () => {
    const r = await runCli(['bench', '--sweep', 'length=1,2', '--scenario', 'scenarios/temperature.ts', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sweep varies a chain scenario: .* give it as --predict/);
  });

  it('names an unknown axis', async () => {
    const r = await runCli(['bench', '--sweep', 'depth=1,2', '--target', 'loopback']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unknown axis "depth" \(axes: length, payload, work\)/);
  });

  it('refuses a gate on a sweep', async () => {
    const r = await runCli(['bench', '--sweep', 'length=1', '--thresholds', 'x.txt', '--target', 'loopback', '--systems', 'p2p']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sweep does not take --baseline or --thresholds/);
  });
});
