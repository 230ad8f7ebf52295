/**
 * autocannon as a closed-loop driver (one connection per worker, pipelining 1). Used with
 * keep-alive on only: autocannon always sends keep-alive, and with `Connection: close` its
 * reconnects make the latencies it reports wrong by orders of magnitude (see DESIGN.md).
 */
import autocannon from 'autocannon';
import { HEADER } from '../dataflow/protocol.ts';
import type { ProfileRecorder } from '../metrics/recorder.ts';
import type { BodySource } from './body-source.ts';
import { classifyFailure, classifyStatus } from './classify.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';

/** autocannon's client emits raw header lists: [name, value, name, value, ...]. */
interface HeadersEvent {
  statusCode: number;
  headers: (string | Buffer)[];
}

export const autocannonDriver: LoadDriver = {
  name: 'autocannon',
  // autocannon destroys its connections when it stops: in-flight requests are cut, not drained.
  canDrain: false,
  unsupported: (spec) =>
    spec.keepAlive ? undefined : 'autocannon reports wrong latencies without keep-alive; use the fogbench-http driver',

  run(spec: LoadSpec, bodies: BodySource, recorder: ProfileRecorder, signal: AbortSignal) {
    return new Promise((resolve, reject) => {
      // The envelope marker is a header autocannon does not report with the response, so each
      // client remembers it from its 'headers' event (pipelining 1: one response at a time).
      const envelopeSeen = new WeakMap<object, boolean>();
      const instance = autocannon(
        {
          url: spec.url,
          connections: spec.workers,
          pipelining: 1,
          duration: spec.durationMs / 1000,
          timeout: spec.timeoutMs / 1000,
          method: 'POST',
          headers: spec.headers,
          requests: [{ setupRequest: (req) => ({ ...req, body: bodies.next() }) }],
          setupClient: (client) => {
            // The typings say IncomingHttpHeaders; the client really emits the parser's event.
            client.on('headers', (raw: unknown) => {
              const event = raw as HeadersEvent;
              const names = event.headers.filter((_, i) => i % 2 === 0).map((h) => h.toString().toLowerCase());
              envelopeSeen.set(client, names.includes(HEADER.error));
            });
          },
        },
        (error) => {
          if (error) reject(error);
        },
      );
      let counted = 0;
      instance.on('response', (client: object, statusCode: number, _bytes: number, responseTime: number) => {
        counted++;
        recorder.record(classifyStatus(statusCode, envelopeSeen.get(client) ?? false), responseTime, performance.now());
      });
      instance.on('reqError', (error: Error) => {
        counted++;
        const outcome = classifyFailure(error);
        // A timeout is a latency of at least the limit (censored); other failures have none.
        recorder.record(outcome, outcome === 'timeout' ? spec.timeoutMs : 0, performance.now());
      });
      // Requests autocannon sent but neither answered nor failed were in flight when it stopped:
      // cut off. autocannon does not say how old they were, so they are counted, not censored.
      instance.on('done', (result: { requests?: { sent?: number } }) => resolve({ cutOff: Math.max(0, (result.requests?.sent ?? counted) - counted) }));
      signal.addEventListener('abort', () => instance.stop(), { once: true });
    });
  },
};
