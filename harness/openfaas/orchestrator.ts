/**
 * The orchestrator function of the openfaas system: calls each step through the gateway
 * (`/function/<step>`) in turn, passing each result on, and returns the last. A failed step
 * ends the chain with an error status that names the step, so the client counts it. How a
 * step is called (decoded JSON with fetch, as function code does, or raw bytes) is the
 * caller's (gateway-steps.ts).
 */
import { requestIdOf } from './function-server-options.ts';
import type { StepCaller } from './gateway-steps.ts';
import type { FunctionContextBuilder, FunctionEvent, TemplateHandler } from './template-contract.ts';

export interface StepFailure {
  step: string;
  status: number;
  error: string;
}

/** How the orchestrator's own request body becomes the first step's payload, and the last answer its result. */
export interface PayloadCodec<T> {
  fromEvent(body: unknown): T;
  toResult(payload: T): unknown;
}

/** Raw bytes between steps; only the last answer is decoded. */
export const BYTES_CODEC: PayloadCodec<Buffer> = {
  fromEvent: (body) => Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  toResult: (payload) => JSON.parse(payload.toString('utf8')) as unknown,
};

/** Decoded values between steps: the template has parsed the request body already. */
export const JSON_CODEC: PayloadCodec<unknown> = { fromEvent: (body) => body, toResult: (payload) => payload };

export function orchestratorHandler<T>(steps: readonly string[], caller: StepCaller<T>, codec: PayloadCodec<T>): TemplateHandler {
  return async (event: FunctionEvent, context: FunctionContextBuilder) => {
    let payload = codec.fromEvent(event.body);
    // Every step's span carries the id of the client's request, so the hops can be joined.
    const requestId = requestIdOf(event.headers);
    for (const step of steps) {
      const result = await caller.call(step, payload, requestId);
      if (!result.ok) return context.status(result.status).fail({ step, status: result.upstream, error: result.error } satisfies StepFailure);
      payload = result.value;
    }
    return context.status(200).headers({ 'content-type': 'application/json' }).succeed(codec.toResult(payload));
  };
}
