/** Names that become folder names cannot leave their parent (issue 13: `--run-id ..` deleted the checkout). */
import { describe, expect, it } from 'vitest';
import { FogbenchError } from '../harness/errors.ts';
import { checkPathName, childPath } from '../harness/safe-name.ts';

describe('names that become paths', () => {
  it.each(['', '.', '..', '.hidden', 'a/b', '../x', 'a\\b', 'x\0y', 'x'.repeat(129), 'with space'])('refuses %j with one usage line', (name) => {
    const error = (() => {
      try {
        checkPathName('--run-id', name);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as FogbenchError).code).toBe('usage');
    expect((error as Error).message).toMatch(/^--run-id ".*" cannot be used as a folder name: /);
    expect((error as Error).message).not.toContain('\n');
  });

  it.each(['20260105-020000-ab12', 'ci-e2e', 'nightly-local-123', 'a.b_c-d', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(checkPathName('--run-id', name)).toBe(name);
    expect(childPath('reports/runs', name, 'run id')).toBe(`reports/runs/${name}`);
  });

  it('childPath never leaves the parent', () => {
    expect(() => childPath('build', '..', 'run id')).toThrow(FogbenchError);
    expect(() => childPath('/', '..', 'run id')).toThrow(FogbenchError);
  });
});
