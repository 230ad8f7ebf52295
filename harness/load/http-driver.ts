/**
 * fogbench's own closed-loop driver: each worker is one plain TCP client speaking HTTP/1.1, as
 * each of hey's workers is one Go HTTP client. A request is timed from just before its
 * connection is opened (keep-alive off) or its bytes are written (keep-alive on) until its
 * response has fully arrived, connection set-up included, which is what hey reports; it is
 * correct with keep-alive off, where autocannon is not.
 *
 * Why not node:http: its request and response objects cost this single-threaded client a
 * third more CPU per request than hey spends, and the closed loop's workers share that thread,
 * so the excess showed as latency (and, at a few workers, as throughput) that hey did not
 * measure; and its agent, capped at `workers` sockets, made nearly every request with
 * keep-alive off wait in its queue while the previous connection closed. Here a worker owns
 * its connection: nothing queues in the client, and the work per request is one write of a
 * prepared head plus the body and a scan of the response for its end (http1-response.ts).
 */
import net from 'node:net';
import { HEADER } from '../dataflow/protocol.ts';
import type { Outcome, ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec, RunOptions } from './driver.ts';
import { ResponseParser } from './http1-response.ts';
import { after, type Timer } from '../timers.ts';

class RequestTimeout extends Error {
  readonly code = 'FB_TIMEOUT';
}

/** The request head every request of the spec shares, up to its Content-Length. */
export function requestHead(spec: LoadSpec, url: URL, bodyLength: number): Buffer {
  const lines = [`POST ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(spec.headers)) {
    if (!/^(host|content-length|connection|transfer-encoding)$/i.test(name)) lines.push(`${name}: ${value}`);
  }
  lines.push(`Content-Length: ${bodyLength}`, `Connection: ${spec.keepAlive ? 'keep-alive' : 'close'}`, '', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

interface Current {
  started: number;
  /** Ends the request as cut off at the window's end: recorded at its age, not as an outcome. */
  cut(now: number): void;
}

export const httpDriver: LoadDriver = {
  name: 'fogbench-http',
  // The bench asks before anything is deployed, when there is no URL yet: judge the URL when there is one.
  unsupported: (spec) => (spec.url === undefined || URL.parse(spec.url)?.protocol === 'http:' ? undefined : 'fogbench-http speaks plain http:// only'),

  async run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal, options: RunOptions = { end: 'cut' }) {
    const url = new URL(spec.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 80);
    const heads = new Map<number, Buffer>();
    const headFor = (length: number) => {
      let head = heads.get(length);
      if (!head) heads.set(length, (head = requestHead(spec, url, length)));
      return head;
    };
    const inFlight = new Set<Current>();
    let stopping = false;

    /** One worker's connection, kept between requests when keep-alive is on. */
    class Connection {
      private socket: net.Socket | null = null;

      private open(): net.Socket {
        const socket = net.connect({ host, port, noDelay: true });
        // Between requests an idle keep-alive connection may fail or be closed by the server:
        // it is then simply not reused.
        socket.on('error', () => {});
        socket.on('close', () => {
          if (this.socket === socket) this.socket = null;
        });
        this.socket = socket;
        return socket;
      }

      request(body: Buffer): Promise<void> {
        return new Promise((resolve) => {
          const started = performance.now();
          let settled = false;
          let timer: Timer | undefined;
          let detach = () => {};
          let drop = () => {};
          const finish = () => {
            settled = true;
            timer?.clear();
            inFlight.delete(current);
            detach();
            resolve();
          };
          const settle = (outcome: Outcome) => {
            if (settled) return;
            const now = performance.now();
            // A timeout is recorded at the limit itself: a censored latency, not a measured one.
            recorder.record(outcome, outcome === 'timeout' ? spec.timeoutMs : now - started, now);
            finish();
          };
          const current: Current = {
            started,
            cut(now) {
              if (settled) return;
              recorder.cutOff(now - started);
              drop();
              finish();
            },
          };
          const attempt = (reused: boolean) => {
            const sock = reused ? this.socket! : this.open();
            const parser = new ResponseParser();
            let received = 0;
            drop = () => {
              if (this.socket === sock) this.socket = null;
              sock.destroy();
            };
            const onData = (chunk: Buffer) => {
              received += chunk.length;
              let done: boolean;
              try {
                done = parser.push(chunk);
              } catch (error) {
                drop();
                settle(classifyFailure(error));
                return;
              }
              if (!done) return;
              const head = parser.head!;
              if (!spec.keepAlive || head.closes || parser.extra > 0) drop();
              settle(classifyStatus(head.status, head.names.has(HEADER.error)));
            };
            // A reused connection the server had already closed fails before any byte of an
            // answer: the request goes again on a new connection, as Go's client (hey) does.
            const retry = () => {
              detach();
              drop();
              attempt(false);
            };
            const onError = (error: Error) => {
              if (settled) return;
              if (reused && received === 0) return retry();
              drop();
              settle(classifyFailure(error));
            };
            const onClose = () => {
              if (settled) return;
              if (parser.close()) return settle(classifyStatus(parser.head!.status, parser.head!.names.has(HEADER.error)));
              if (reused && received === 0) return retry();
              settle('reset');
            };
            detach = () => {
              sock.removeListener('data', onData);
              sock.removeListener('error', onError);
              sock.removeListener('close', onClose);
            };
            sock.on('data', onData);
            sock.on('error', onError);
            sock.on('close', onClose);
            sock.cork();
            sock.write(headFor(body.length));
            sock.write(body);
            sock.uncork();
          };
          timer = after(spec.timeoutMs, () => {
            drop();
            settle(classifyFailure(new RequestTimeout(`no response within ${spec.timeoutMs} ms`)));
          });
          inFlight.add(current);
          attempt(this.socket !== null && !this.socket.destroyed);
        });
      }

      close(): void {
        this.socket?.destroy();
        this.socket = null;
      }
    }

    const deadline = performance.now() + spec.durationMs;
    // A cut request's age is a lower bound of its latency: taken at the window's end, not at
    // whenever a late timer got to run (on a loaded machine, tens of ms after it).
    const cutAll = (at: number) => {
      for (const current of [...inFlight]) current.cut(at);
    };
    const stop = () => {
      stopping = true;
      // Draining (a warm-up), requests in flight end by themselves or time out.
      if (options.end === 'cut') cutAll(Math.min(performance.now(), deadline));
    };
    const endTimer = after(spec.durationMs, stop);
    const onAbort = () => {
      stopping = true;
      cutAll(Math.min(performance.now(), deadline));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const connections: Connection[] = [];
    const worker = async () => {
      const connection = new Connection();
      connections.push(connection);
      while (!stopping && performance.now() < deadline) await connection.request(bodies.next());
    };
    try {
      await Promise.all(Array.from({ length: spec.workers }, worker));
    } finally {
      endTimer.clear();
      signal.removeEventListener('abort', onAbort);
      for (const c of connections) c.close();
    }
    return { cutOff: 0 };
  },
};
