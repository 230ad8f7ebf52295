/**
 * What a sweep point moves per request, as the cost model counts it (pure): the bytes the client
 * exchanges, the bytes each hop carries, and the bytes that go through a link's shaper at its
 * rate rather than in its burst.
 *
 * A hop carries the step's input one way and an answer back. What comes back depends on how the
 * system composes the steps (`AnswerPath`): a chain that relays (p2p, openfaas-chain) sends every
 * step the answer of the rest of the chain, the client's response; an orchestrator (openfaas)
 * gets each step's own output back. A synthetic chain cannot tell the two apart (every step's
 * output and the response are its payload), but a scenario whose steps shrink the data (the
 * temperature scenario: 46 KB in, 1.3 KB out) can: counting its hops' inputs twice, as the model
 * did, charged a relaying system for 46 KB coming back through every hop.
 *
 * A shaped link (tbf: a rate and a bucket of `burst` bytes) lets a transfer through at line rate
 * up to the bucket and at the link's rate beyond it: on the fog's 100 mbit/s links a 64 KB body
 * costs a hop almost nothing in link time, a 1 MB one about 80 ms. Per-byte terms fitted over
 * both scale the second by the first and overcharge every transfer under the bucket (issue 16's
 * sweep predicted the temperature scenario at +70 % for p2p at 1 worker). So the bytes beyond the
 * bucket are a regressor of their own, counted per transfer.
 */

/** How a system's steps answer: each its caller with the rest of the chain's answer, or the orchestrator with its own output. */
export type AnswerPath = 'relayed' | 'orchestrated';
export const ANSWER_PATHS: readonly AnswerPath[] = ['relayed', 'orchestrated'];

/**
 * Bytes on the wire per byte of body: a full TCP segment on a 1500-byte MTU link carries 1448
 * bytes of data (20 IP + 20 TCP + 12 timestamp option) in a 1514-byte frame (14 Ethernet), and
 * tbf counts frames.
 */
export const WIRE_BYTES_PER_BODY_BYTE = 1514 / 1448;

/** A point's bodies per request: the client's request and response, and each step's input in route order. */
export interface PointBodies {
  request: number;
  response: number;
  inputs: readonly number[];
}

/** What the cost model reads of a point for one system (bytes per request). */
export interface ModelBytes {
  /** Mean of the client's request and response. */
  clientBytes: number;
  /** Σ over the hops of the mean of what goes into the step and what comes back from it. */
  hopBytes: number;
  /**
   * Bytes beyond the links' bucket, counted as the two above are (client: the mean of request and
   * response; each hop: the mean of its two ways): what a shaped link passes at its rate.
   * 0 when the links are not shaped.
   */
  shapedBytes: number;
}

/** The bodies of a synthetic chain: every step takes the payload and passes it on. */
export function chainBodies(length: number, payloadBytes: number): PointBodies {
  return { request: payloadBytes, response: payloadBytes, inputs: Array.from({ length }, () => payloadBytes) };
}

/**
 * The model's bytes for a point as `answers` composes it, over links whose bucket holds
 * `bucketBytes` (null: not shaped). An unknown answer path counts each hop's input both ways.
 */
export function modelBytes(bodies: PointBodies, answers: AnswerPath | null, bucketBytes: number | null): ModelBytes {
  const back = bodies.inputs.map((input, i) => (answers === 'relayed' ? bodies.response : answers === 'orchestrated' ? (bodies.inputs[i + 1] ?? bodies.response) : input));
  const beyond = (bytes: number) => (bucketBytes === null ? 0 : Math.max(0, bytes * WIRE_BYTES_PER_BODY_BYTE - bucketBytes));
  const mean = (a: number, b: number) => (a + b) / 2;
  return {
    clientBytes: mean(bodies.request, bodies.response),
    hopBytes: bodies.inputs.reduce((s, input, i) => s + mean(input, back[i]!), 0),
    shapedBytes: mean(beyond(bodies.request), beyond(bodies.response)) + bodies.inputs.reduce((s, input, i) => s + mean(beyond(input), beyond(back[i]!)), 0),
  };
}

/**
 * The bodies of a scenario as sweep.ts measured them (ScenarioBytes: request, response, steps'
 * inputs), or null when the record does not hold them all as sizes (a file from another version,
 * or edited): the model then counts the point as its summed bytes say.
 */
export function scenarioBodies(measured: unknown, length: number): PointBodies | null {
  const m = measured as { request?: unknown; response?: unknown; steps?: unknown } | null;
  const size = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (typeof m !== 'object' || m === null || !size(m.request) || !size(m.response) || !Array.isArray(m.steps) || m.steps.length !== length) return null;
  const inputs = m.steps.map((step: unknown) => (step as { input?: unknown } | null)?.input);
  return inputs.every(size) ? { request: m.request, response: m.response, inputs } : null;
}

/** The answer path a manifest records for a system (`systemDetails[system].answers`), or null. */
export function answerPathOf(details: Readonly<Record<string, unknown>> | undefined): AnswerPath | null {
  const answers = details?.answers;
  return ANSWER_PATHS.find((a) => a === answers) ?? null;
}
