/** The load generator's HTTP/1.1 response reader, fed bytes as a socket delivers them. */
import { describe, expect, it } from 'vitest';
import { ResponseParser } from '../../harness/load/http1-response.ts';

const feed = (parts: string[]) => {
  const p = new ResponseParser();
  const done = parts.map((part) => p.push(Buffer.from(part, 'latin1')));
  return { p, done };
};

describe('ResponseParser', () => {
  it('ends a Content-Length body exactly, however the bytes are split', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Fogbench-Error: timeout\r\nContent-Length: 11\r\n\r\n{"ok":true}';
    for (let cut = 1; cut < text.length; cut += 7) {
      const { p, done } = feed([text.slice(0, cut), text.slice(cut)]);
      expect(done.at(-1)).toBe(true);
      expect(p.head).toMatchObject({ status: 200, closes: false });
      expect(p.head!.names.has('x-fogbench-error')).toBe(true);
      expect(p.extra).toBe(0);
    }
  });

  it('reads chunked bodies with extensions and trailers', () => {
    const text = 'HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: 1\r\n\r\n';
    for (let cut = 1; cut < text.length; cut += 3) {
      const { p, done } = feed([text.slice(0, cut), text.slice(cut)]);
      expect(done.at(-1), `cut at ${cut}`).toBe(true);
      expect(p.head!.status).toBe(502);
    }
    expect(feed([text.slice(0, -2)]).done[0]).toBe(false);
  });

  it('waits for the connection to close when the body has no length, and skips 100 Continue', () => {
    const { p, done } = feed(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nsome body']);
    expect(done[0]).toBe(false);
    expect(p.head).toMatchObject({ status: 200, closes: true });
    expect(p.close()).toBe(true);
    expect(feed(['HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n']).p).toMatchObject({ complete: true, head: { closes: true } });
  });

  it('refuses what is not HTTP/1.x', () => {
    expect(() => feed(['SSH-2.0-OpenSSH\r\n\r\n'])).toThrow(/not an HTTP\/1\.x response/);
  });
});
