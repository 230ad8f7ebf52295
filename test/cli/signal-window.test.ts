/**
 * abortOnSignals (issue 13): the same Ctrl-C delivered twice (the terminal's, then a wrapper's
 * relay) stops the run once and lets it clean up; a Ctrl-C a person presses later forces.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { abortOnSignals, DUPLICATE_WINDOW_MS, startingProcesses, type SignalScope } from '../../harness/cli/signals.ts';

const scopes: SignalScope[] = [];
afterEach(() => scopes.splice(0).forEach((s) => s.dispose()));

function scope() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  const exits: number[] = [];
  const s = abortOnSignals({ stream, watchParents: false, exit: (code) => void exits.push(code) });
  scopes.push(s);
  return { s, exits, text: () => text };
}

describe('abortOnSignals', () => {
  it('takes a second SIGINT right after the first as the same Ctrl-C: cleanup goes on', () => {
    const { s, exits, text } = scope();
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGINT', 'SIGINT');
    process.emit('SIGTERM', 'SIGTERM');
    expect(s.signal.aborted).toBe(true);
    expect(exits).toEqual([]);
    expect(text()).toMatch(/SIGINT received, stopping and cleaning up/);
    expect(text()).not.toMatch(/exiting without finishing cleanup/);
  });

  it('forces when a person presses Ctrl-C again later', async () => {
    const { exits, text } = scope();
    process.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS + 100));
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    expect(text()).toMatch(/SIGINT again, exiting without finishing cleanup/);
  });

  it('keeps the duplicate window under a second, so a person can still force', () => {
    expect(DUPLICATE_WINDOW_MS).toBeGreaterThanOrEqual(300);
    expect(DUPLICATE_WINDOW_MS).toBeLessThan(1_000);
  });

  it('watches the parent, and the process behind a `sh -c` wrapper (npm runs scripts through one)', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('/bin/sh', ['-c', `${process.execPath} -e "setTimeout(() => {}, 5000)"; true`], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const { descendantsOf } = await import('../helpers/processes.ts');
      const node = descendantsOf(child.pid!).find((pid) => pid !== child.pid)!;
      try {
        expect(startingProcesses(node).map((w) => w.pid)).toEqual([child.pid, process.pid]);
      } finally {
        process.kill(node, 'SIGKILL');
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  // Full-suite run of this session: `npm run serve`, Ctrl-C at 500 ms while esbuild bundled the
  // services; esbuild's service got the same Ctrl-C and the build failed with "The service is no
  // longer running", reported as a bug with a stack trace.
  it('reports work cut short by the stop as the stop, not as a bug', async () => {
    // Fresh modules: the stop is remembered per process, and the tests above have stopped.
    vi.resetModules();
    const { reportError } = await import('../../harness/cli/run-main.ts');
    const fresh = await import('../../harness/cli/signals.ts');
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      expect(reportError(new Error('before any stop'))).toBe(1);
      scopes.push(fresh.abortOnSignals({ stream: new PassThrough(), watchParents: false, exit: () => {} }));
      process.emit('SIGINT', 'SIGINT');
      expect(reportError(new Error('The service is no longer running\n    at esbuild'))).toBe(130);
    } finally {
      process.stderr.write = write;
    }
    expect(err.join('')).toMatch(/unexpected error \(a bug/);
    expect(err.at(-1)).toBe('fogbench: stopped (The service is no longer running)\n');
  });
});
