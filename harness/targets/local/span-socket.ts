/**
 * The channel a fog pod's processes write their spans to (dataflow/span-output.ts): a Unix
 * socket in the pod's private /tmp, served by the harness, one per pod. A pathname socket is
 * reached through the file system, so it works from inside the pod's network namespace; spans
 * then never pass through the program's stdout, which of-watchdog relays line by line.
 * Lines from every connection (a restarted container connects again) go to `onLine`.
 */
import net from 'node:net';

export interface SpanSocket {
  readonly path: string;
  close(): Promise<void>;
}

/** A line longer than this is not a span: it is dropped rather than grown without bound. */
const MAX_LINE_BYTES = 1024 * 1024;

export async function listenForSpans(path: string, onLine: (line: string) => void): Promise<SpanSocket> {
  const connections = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    // Neither the server nor its connections keep the harness alive (a Ctrl-C exits).
    socket.unref();
    connections.add(socket);
    let rest = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      if (rest.length > MAX_LINE_BYTES) rest = '';
      for (const line of lines) if (line !== '') onLine(line);
    });
    const done = () => {
      if (rest !== '') onLine(rest);
      rest = '';
      connections.delete(socket);
    };
    socket.on('end', done);
    socket.on('error', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  server.unref();
  return {
    path,
    close: () =>
      new Promise<void>((resolve) => {
        // Writers have stopped by now (their pod is down): what they sent is read, then closed.
        for (const socket of connections) socket.end();
        server.close(() => resolve());
      }),
  };
}
