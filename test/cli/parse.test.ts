import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { collectKeyValue, parseDuration, parsePositiveInt, parseWorkers, positiveIntUpTo } from '../../harness/cli/parse.ts';

describe('option parsers', () => {
  it('reads durations with units, bare numbers as seconds', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(2_000);
  });
  it.each(['-1', '0', 'abc', '10x', '', '0.0001ms', '0.5ms'])('rejects the duration %j', (v) => {
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
  it('reads whole numbers only while they are the number typed', () => {
    expect(parsePositiveInt('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    // 99999999999999999999 read as 1e20 (a --replicas recorded so in the manifest).
    expect(() => parsePositiveInt('99999999999999999999')).toThrow(/up to 9007199254740991/);
  });
  it('bounds a count that becomes that many things (--repeat 1e20 ended in "RangeError: Invalid array length")', () => {
    const repeat = positiveIntUpTo(1_000, 'repetitions');
    expect(repeat('1000')).toBe(1_000);
    expect(() => repeat('1001')).toThrow(/more than 1000 repetitions are not supported/);
    expect(() => repeat('99999999999999999999')).toThrow(InvalidArgumentError);
  });
});
