/**
 * The openfaas-chain composition: a function that, after running, calls the next one through
 * the gateway (`/function/<next>`) and answers with what it answered. A failed next step ends
 * the chain with an error status that names it, as the orchestrator does for its steps.
 */
import type { StepCaller, StepResult } from './gateway-steps.ts';

/** The bare runtime's: the encoded result in, the next function's bytes out. */
export interface BytesNextCall {
  /** The function called next (its name at the gateway). */
  next: string;
  call(payload: Buffer, requestId: string): Promise<{ status: number; body: Buffer; json: boolean }>;
}

/** The template runtime's: the handler's result in, the next function's answer decoded and re-encoded. */
export interface JsonNextCall {
  next: string;
  call(value: unknown, requestId: string): Promise<{ status: number; body: string }>;
}

const envelope = (next: string, failure: Extract<StepResult<unknown>, { ok: false }>) =>
  JSON.stringify({ step: next, status: failure.upstream, error: failure.error });

export function bytesNextCall(next: string, caller: StepCaller<Buffer>): BytesNextCall {
  return {
    next,
    async call(payload, requestId) {
      const result = await caller.call(next, payload, requestId);
      if (!result.ok) return { status: result.status, body: Buffer.from(envelope(next, result)), json: true };
      return { status: result.status, body: result.value, json: true };
    },
  };
}

export function jsonNextCall(next: string, caller: StepCaller<unknown>): JsonNextCall {
  return {
    next,
    async call(value, requestId) {
      const result = await caller.call(next, value, requestId);
      if (!result.ok) return { status: result.status, body: envelope(next, result) };
      return { status: result.status, body: JSON.stringify(result.value) };
    },
  };
}
