/** What the harness makes of the load agent's own words, and of its stderr when it died without any. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { crashReason } from '../../harness/load/agent-protocol.ts';

describe('the load agent protocol', () => {
  // Issue 25, finding 12: a crashed agent's reason was the last line of its stderr, "Node.js v20.20.2".
  it("issue 25 #12: takes a crashed Node process's own error from its stderr, not Node's version line", async () => {
    const crashed = await promisify(execFile)(process.execPath, ['-e', "setTimeout(() => { throw new RangeError('Invalid string length'); })"]).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(crashed.trim().split('\n').at(-1)).toMatch(/^Node\.js v\d/);
    expect(crashReason(crashed)).toBe('RangeError: Invalid string length');
    expect(crashReason('\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n 1: 0xb8 node::Abort() [node]\n')).toBe(
      'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    );
    expect(crashReason('')).toBeNull();
  });
});
