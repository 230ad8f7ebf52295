import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectKeyValue, parseDuration, parseWorkers } from '../../harness/cli/parse.ts';

describe('option parsers', () => {
  it('reads durations with units, bare numbers as seconds', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(2_000);
  });
  it.each(['-1', '0', 'abc', '10x', ''])('rejects the duration %j', (v) => {
    expect(() => parseDuration(v)).toThrow(InvalidArgumentError);
  });
  it('reads worker lists and drops repeats', () => {
    expect(parseWorkers('1,5,10,50')).toEqual([1, 5, 10, 50]);
    expect(parseWorkers('5,5')).toEqual([5]);
  });
  it.each(['0', 'abc', '1,,5', '-3', '1.5'])('rejects the workers %j', (v) => {
    expect(() => parseWorkers(v)).toThrow(InvalidArgumentError);
  });
  it('collects key=value settings', () => {
    expect(collectKeyValue('b=2', collectKeyValue('window=10'))).toEqual({ window: '10', b: '2' });
    expect(() => collectKeyValue('nokey')).toThrow(InvalidArgumentError);
  });
});
