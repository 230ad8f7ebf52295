/**
 * The fog pod's span socket: lines from every connection reach the harness, a restarted writer
 * included (written by the writers' own code, dataflow/span-output.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SPANS_SOCKET_ENV, spanOutput } from '../../../harness/dataflow/span-output.ts';
import { listenForSpans } from '../../../harness/targets/local/span-socket.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('listenForSpans', () => {
  it('takes lines from every connection, a restarted writer included', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-spans-'));
    dirs.push(dir);
    const lines: string[] = [];
    const socket = await listenForSpans(path.join(dir, 'spans.sock'), (line) => lines.push(line));
    for (const n of [1, 2]) spanOutput({ [SPANS_SOCKET_ENV]: socket.path })(`{"writer":${n}}\n`);
    await until(() => lines.length === 2);
    expect(lines.sort()).toEqual(['{"writer":1}', '{"writer":2}']);
    await socket.close();
  });
});
