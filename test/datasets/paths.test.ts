/** Where generated months are cached: always a file of datasets/cache, whatever --month and --seed say. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE_DIR, cachedMonthPath } from '../../datasets/paths.ts';
import { FogbenchError } from '../../harness/errors.ts';

describe('the cached month of a month and seed', () => {
  it('is a file of the cache folder', () => {
    expect(cachedMonthPath('2019-02', 42, 'compact', 'temperature')).toBe(path.join(CACHE_DIR, 'synthetic-2019-02-seed42-compact-temperature.csv'));
    expect(path.dirname(cachedMonthPath('2019-02', 'lab_7-b'))).toBe(CACHE_DIR);
  });

  // Issue 25's attack, repeated: `dataset generate --seed ../../../../../tmp/x` wrote the month to /work/tmp/x-….csv.
  it.each([['../../../../../tmp/x'], ['a/b'], ['é']])('refuses the seed %j in one line', (seed) => {
    const error = (() => {
      try {
        return cachedMonthPath('2019-02', seed);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('usage');
    expect((error as Error).message).toMatch(/cannot name a file in datasets\/cache .*give --out/);
  });

  it('refuses a month with a path in it', () => {
    expect(() => cachedMonthPath('../../../tmp/zz/2019-02', 42)).toThrow(/cannot name a file in datasets\/cache/);
  });
});
