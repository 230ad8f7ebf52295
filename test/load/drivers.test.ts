/**
 * Choosing a driver (hostile test of issue 14): the bench asks before anything is deployed,
 * with no URL yet, and `--driver fogbench-http` crashed there with "Invalid URL".
 */
import { describe, expect, it } from 'vitest';
import { chooseDriver } from '../../harness/load/drivers.ts';

describe('chooseDriver', () => {
  it('accepts every closed-loop driver before there is a URL', () => {
    expect(chooseDriver('fogbench-http', { keepAlive: false })).toBe('fogbench-http');
    expect(chooseDriver('autocannon', { keepAlive: true })).toBe('autocannon');
    expect(chooseDriver('hey', { keepAlive: false })).toBe('hey');
    expect(chooseDriver('auto', { keepAlive: false })).toBe('fogbench-http');
    expect(chooseDriver('auto', { keepAlive: true, rate: 10 })).toBe('fogbench-open-loop');
  });

  it('still refuses what a driver cannot measure, in one line', () => {
    expect(() => chooseDriver('autocannon', { keepAlive: false })).toThrow(/autocannon reports wrong latencies without keep-alive/);
    expect(() => chooseDriver('hey', { keepAlive: false, rate: 10 })).toThrow(/--rate needs the open-loop driver/);
    expect(() => chooseDriver('fogbench-http', { keepAlive: false, url: 'https://127.0.0.1/' } as never)).toThrow(/plain http:\/\/ only/);
  });
});
