/**
 * Where a process writes its spans: the target's span socket when it gives one, stdout
 * otherwise, and stdout with a note on stderr when the socket cannot be reached. Real Unix
 * sockets, served by the fog target's own listener (targets/local/span-socket.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { SPANS_SOCKET_ENV, spanOutput } from '../../harness/dataflow/span-output.ts';
import { listenForSpans } from '../../harness/targets/local/span-socket.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

const until = async (check: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
};

describe('spanOutput', () => {
  it('writes to stdout when the target gives no socket', () => {
    const out = capture();
    spanOutput({}, out.stream)('{"a":1}\n');
    expect(out.text()).toBe('{"a":1}\n');
  });

  it("writes to the target's socket, not stdout, when it gives one; lines split across writes arrive whole", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-spans-'));
    dirs.push(dir);
    const lines: string[] = [];
    const socket = await listenForSpans(path.join(dir, 'spans.sock'), (line) => lines.push(line));
    const out = capture();
    const write = spanOutput({ [SPANS_SOCKET_ENV]: socket.path }, out.stream);
    write('{"n":1}\n{"n":');
    write('2}\n');
    await until(() => lines.length === 2);
    expect(lines).toEqual(['{"n":1}', '{"n":2}']);
    expect(out.text()).toBe('');
    await socket.close();
  });

  it('falls back to stdout, with one line on stderr, when the socket cannot be reached: nothing is lost', async () => {
    const out = capture();
    const err = capture();
    const write = spanOutput({ [SPANS_SOCKET_ENV]: '/nonexistent/fogbench/spans.sock' }, out.stream, err.stream);
    write('{"n":1}\n');
    await until(() => out.text() !== '');
    write('{"n":2}\n');
    expect(out.text()).toBe('{"n":1}\n{"n":2}\n');
    expect(err.text()).toMatch(/^fogbench: span socket \/nonexistent\/fogbench\/spans\.sock: .*writing spans to stdout\n$/);
  });
});
