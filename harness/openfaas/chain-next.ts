/**
 * The openfaas-chain composition: a function that, after running, calls the next one through
 * the gateway (`/function/<next>`) and answers with what it answered. A failed next step ends
 * the chain with an error status that names it, as the orchestrator does for its steps.
 */
import type http from 'node:http';
import { HopTimeoutError, postHop } from '../dataflow/hop-client.ts';

export interface NextCall {
  /** The function called next (its name at the gateway). */
  next: string;
  call(payload: Buffer, requestId: string): Promise<{ status: number; body: Buffer; json: boolean }>;
}

export function nextThroughGateway(options: { gateway: { host: string; port: number }; next: string; stepTimeoutMs: number; pool: http.Agent }): NextCall {
  const failure = (status: number, code: number, error: string) => ({
    status,
    body: Buffer.from(JSON.stringify({ step: options.next, status: code, error })),
    json: true,
  });
  return {
    next: options.next,
    async call(payload, requestId) {
      try {
        const res = await postHop(
          options.pool,
          { ...options.gateway, path: `/function/${options.next}` },
          { 'content-type': 'application/json', 'x-request-id': requestId },
          payload,
          options.stepTimeoutMs,
        );
        if (res.status < 200 || res.status >= 300) {
          // An error already named by a later step passes through as it is.
          return failure(502, res.status, `step ${options.next} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        }
        return { status: res.status, body: res.body, json: true };
      } catch (cause) {
        if (cause instanceof HopTimeoutError) return failure(504, 504, `step ${options.next}: no answer within ${options.stepTimeoutMs} ms`);
        return failure(502, 502, `step ${options.next}: ${(cause as Error).message}`);
      }
    },
  };
}
