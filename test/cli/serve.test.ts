/** `fogbench serve`: a deployment that external tools can be aimed at, removed on Ctrl-C. */
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, waitFor } from '../helpers/cli.ts';
import { commandOf, descendantsOf, isAlive } from '../helpers/processes.ts';

describe('fogbench serve', () => {
  const started: { kill(signal: NodeJS.Signals): boolean }[] = [];
  afterEach(() => started.splice(0).forEach((c) => c.kill('SIGINT')));

  it('prints an entry URL that answers the sample batch, and removes everything on Ctrl-C', async () => {
    const serve = startCli(['serve', '--target', 'loopback']);
    started.push(serve.child);
    let stdout = '';
    serve.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    await waitFor(() => /^http:\/\/\S+\n/m.test(stdout), 60_000, 'the entry URL');
    const url = stdout.trim().split('\n')[0]!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: await readFile('datasets/sample-batch.json') });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/moving average/);
    const children = descendantsOf(serve.child.pid!);
    // The four services (esbuild's helper process may be there too; each service has its
    // owner watcher, a `sh -c` that still shows the command line it was started with).
    expect(children.filter((pid) => commandOf(pid).includes('service.mjs') && !commandOf(pid).startsWith('/bin/sh'))).toHaveLength(4);
    serve.child.kill('SIGINT');
    const { code } = await serve.done;
    expect(code).toBe(0);
    expect(children.filter(isAlive)).toEqual([]);
  }, 90_000);

  it('takes --systems like bench, and still --system', async () => {
    for (const flag of ['--systems', '--system']) {
      const serve = startCli(['serve', '--target', 'loopback', flag, 'p2p']);
      started.push(serve.child);
      let stdout = '';
      serve.child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      await waitFor(() => /^http:\/\/\S+\n/m.test(stdout), 60_000, `the entry URL with ${flag}`);
      serve.child.kill('SIGINT');
      expect((await serve.done).code).toBe(0);
    }
    const two = await runCli(['serve', '--target', 'loopback', '--systems', 'p2p,openfaas']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/serve deploys one system at a time/);
  }, 120_000);
});
