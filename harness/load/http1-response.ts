/**
 * Just enough of an HTTP/1.1 response parser for a load generator: the status, whether a header
 * is present, and when the message is complete (Content-Length, chunked, or the connection
 * closing). It works on the bytes as they arrive and keeps nothing of the body. Pure: fed
 * buffers, it returns what it learned, so it is tested on byte sequences.
 */

const CRLF2 = Buffer.from('\r\n\r\n');

export interface ResponseHead {
  status: number;
  /** Lower-case names of the headers present. */
  names: Set<string>;
  /** The server will close the connection after this response (HTTP/1.0, or Connection: close). */
  closes: boolean;
}

type BodyMode = { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'until-close' };

/** One response, parsed incrementally. */
export class ResponseParser {
  head: ResponseHead | null = null;
  complete = false;
  /** Bytes after the end of this response (a pipelined or stray next one): not expected here. */
  extra = 0;
  private pending: Buffer = Buffer.alloc(0);
  private body: BodyMode = { kind: 'until-close' };
  /** Chunked: bytes of the current chunk's data (and its CRLF) still to skip; -1 while reading a size line or trailers. */
  private chunkLeft = -1;
  private inTrailers = false;

  /** Feeds bytes; returns true once the response is complete. Throws on a malformed response. */
  push(chunk: Buffer): boolean {
    if (this.complete) {
      this.extra += chunk.length;
      return true;
    }
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    if (!this.head) {
      const end = data.indexOf(CRLF2);
      if (end < 0) {
        if (data.length > 64 * 1024) throw new Error('response head larger than 64 KiB');
        this.pending = data;
        return false;
      }
      this.readHead(data.toString('latin1', 0, end));
      data = data.subarray(end + 4);
      // 1xx interim responses precede the real one: skip them.
      if (this.head!.status >= 100 && this.head!.status < 200) {
        this.head = null;
        return data.length ? this.push(data) : false;
      }
    }
    return this.readBody(data);
  }

  /** The connection closed: a close-delimited body is complete now; anything else was cut short. */
  close(): boolean {
    if (!this.complete && this.head && this.body.kind === 'until-close') this.complete = true;
    return this.complete;
  }

  private readHead(text: string): void {
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    if (!status) throw new Error(`not an HTTP/1.x response: ${JSON.stringify((lines[0] ?? '').slice(0, 40))}`);
    const names = new Set<string>();
    let length: number | null = null;
    let chunked = false;
    let closes = status[1] === '0';
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      names.add(name);
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding') chunked = value.split(',').map((v) => v.trim()).includes('chunked');
      else if (name === 'connection') closes = value.split(',').map((v) => v.trim()).includes('close') || (closes && !value.includes('keep-alive'));
    }
    const code = Number(status[2]);
    this.head = { status: code, names, closes };
    if (code === 204 || code === 304) this.body = { kind: 'length', left: 0 };
    else if (chunked) this.body = { kind: 'chunked' };
    else if (length !== null && Number.isFinite(length) && length >= 0) this.body = { kind: 'length', left: length };
    else {
      this.body = { kind: 'until-close' };
      this.head.closes = true;
    }
  }

  private readBody(data: Buffer): boolean {
    const body = this.body;
    if (body.kind === 'length') {
      const used = Math.min(body.left, data.length);
      body.left -= used;
      if (body.left === 0) {
        this.complete = true;
        this.extra += data.length - used;
      }
      return this.complete;
    }
    if (body.kind === 'until-close') return false;
    return this.readChunked(data);
  }

  private readChunked(data: Buffer): boolean {
    let at = 0;
    while (at < data.length) {
      if (this.chunkLeft > 0) {
        const used = Math.min(this.chunkLeft, data.length - at);
        this.chunkLeft -= used;
        at += used;
        if (this.chunkLeft === 0) this.chunkLeft = -1;
        continue;
      }
      const eol = data.indexOf('\r\n', at, 'latin1');
      if (eol < 0) {
        this.pending = data.subarray(at);
        return false;
      }
      const line = data.toString('latin1', at, eol);
      at = eol + 2;
      if (this.inTrailers) {
        if (line === '') {
          this.complete = true;
          this.extra += data.length - at;
          return true;
        }
        continue;
      }
      if (line === '' && this.chunkLeft === -1) continue; // the CRLF after a chunk's data
      const size = parseInt(line.split(';')[0]!.trim(), 16);
      if (!Number.isFinite(size) || size < 0) throw new Error(`bad chunk size line ${JSON.stringify(line.slice(0, 20))}`);
      if (size === 0) this.inTrailers = true;
      else this.chunkLeft = size;
    }
    return false;
  }
}
