/**
 * One call of a function through the gateway (`/function/<name>`), as the orchestrator makes
 * for each step and a chained function makes for the next one. Two ways, one outcome type:
 * - json: what function code typically does, and the default: Node's own client (fetch) with
 *   the value JSON.stringify'd out and the answer decoded with `res.json()`;
 * - bytes (`--function-runtime bare`): the raw bytes passed on over a node:http keep-alive
 *   pool, the answer kept as bytes (nothing decoded between steps).
 * A non-2xx answer, a timeout or a failed connection is a failure that names the step.
 */
import type http from 'node:http';
import { HopTimeoutError, postHop } from '../dataflow/hop-client.ts';

export type StepResult<T> =
  | { ok: true; status: number; value: T }
  /** status: what the caller answers (502, or 504 on a timeout); upstream: what the step answered. */
  | { ok: false; status: number; upstream: number; error: string };

export interface StepCaller<T> {
  call(step: string, payload: T, requestId: string): Promise<StepResult<T>>;
}

export interface GatewayAddress {
  host: string;
  port: number;
}

const answered = (step: string, status: number, body: string) => ({
  ok: false as const,
  status: 502,
  upstream: status,
  error: `step ${step} answered ${status}: ${body.slice(0, 300)}`,
});
const timedOut = (step: string, timeoutMs: number) => ({ ok: false as const, status: 504, upstream: 504, error: `step ${step}: no answer within ${timeoutMs} ms` });
const unreachable = (step: string, cause: unknown) => ({ ok: false as const, status: 502, upstream: 502, error: `step ${step}: ${(cause as Error).message}` });

export function bytesStepCaller(gateway: GatewayAddress, pool: http.Agent, timeoutMs: number): StepCaller<Buffer> {
  return {
    async call(step, payload, requestId) {
      try {
        const res = await postHop(pool, { ...gateway, path: `/function/${step}` }, { 'content-type': 'application/json', 'x-request-id': requestId }, payload, timeoutMs);
        if (res.status < 200 || res.status >= 300) return answered(step, res.status, res.body.toString('utf8'));
        return { ok: true, status: res.status, value: res.body };
      } catch (cause) {
        return cause instanceof HopTimeoutError ? timedOut(step, timeoutMs) : unreachable(step, cause);
      }
    },
  };
}

export function jsonStepCaller(gateway: GatewayAddress, timeoutMs: number): StepCaller<unknown> {
  const base = `http://${gateway.host}:${gateway.port}/function/`;
  return {
    async call(step, payload, requestId) {
      try {
        const res = await fetch(base + step, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!res.ok) return answered(step, res.status, await res.text());
        return { ok: true, status: res.status, value: (await res.json()) as unknown };
      } catch (cause) {
        return (cause as Error).name === 'TimeoutError' ? timedOut(step, timeoutMs) : unreachable(step, cause);
      }
    },
  };
}
