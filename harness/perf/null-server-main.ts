/**
 * A null HTTP/1.1 server for the load generators' own benchmarks: it reads each request (head
 * and Content-Length body) and answers `{}` at once, on plain sockets, so that it costs less per
 * request than any client measured against it. Keep-alive as the client asks. Prints its port.
 */
import net from 'node:net';

const OK = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
const OK_CLOSE = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
const END = Buffer.from('\r\n\r\n');
const DELAY_MS = Number(process.argv[2] ?? 0);

function contentLength(head: string): number {
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return m ? Number(m[1]) : 0;
}

const server = net.createServer({ noDelay: true }, (socket) => {
  let pending: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (;;) {
      const end = data.indexOf(END);
      if (end < 0) break;
      const head = data.toString('latin1', 0, end);
      const total = end + 4 + contentLength(head);
      if (data.length < total) break;
      const close = /\r\nconnection:\s*close/i.test(head);
      const answer = () => {
        if (socket.destroyed) return;
        socket.write(close ? OK_CLOSE : OK);
        if (close) socket.end();
      };
      if (DELAY_MS > 0) setTimeout(answer, DELAY_MS);
      else answer();
      if (close) {
        pending = Buffer.alloc(0);
        return;
      }
      data = data.subarray(total);
    }
    pending = data.length ? Buffer.from(data) : Buffer.alloc(0);
  });
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
});
process.once('SIGTERM', () => process.exit(0));
