/** What the harness makes of the load agent's own words, and of its stderr when it died without any. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { crashReason, type AgentSpec } from '../../harness/load/agent-protocol.ts';
import { agentRunner } from './agent-runs.ts';

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

  it('refuses, in its own one-line error, a spec with a duration no timer holds', async () => {
    const agent = await agentRunner();
    try {
      const spec = { driver: 'fogbench-http', warmupMs: 0, load: { url: 'http://127.0.0.1:9/', workers: 1, durationMs: 3e9, keepAlive: false, timeoutMs: 1_000, headers: {} }, bodies: { kind: 'fixed', file: '/dev/null' } };
      const failure = await agent.run(spec as AgentSpec).then(() => 'no error', (e: Error & { stdout?: string }) => e.stdout ?? e.message);
      expect(failure).toMatch(/"type":"error","message":".*is not a load agent spec: load\.durationMs is 3000000000, expected a number from 1 to 2147483647"/);
    } finally {
      await rm(agent.dir, { recursive: true, force: true });
    }
  }, 60_000);
});
