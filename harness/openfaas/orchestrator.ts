/**
 * The orchestrator function of the openfaas system: calls each step through the gateway
 * (`/function/<step>`) in turn, passing each result on, and returns the last. A failed step
 * ends the chain with an error status that names the step, so the client counts it.
 */
import type http from 'node:http';
import { HopTimeoutError, postHop } from '../dataflow/hop-client.ts';
import { requestIdOf } from './function-server.ts';
import type { FunctionContextBuilder, FunctionEvent, TemplateHandler } from './template-contract.ts';

export interface OrchestratorOptions {
  gateway: { host: string; port: number };
  steps: readonly string[];
  stepTimeoutMs: number;
  pool: http.Agent;
}

export interface StepFailure {
  step: string;
  status: number;
  error: string;
}

export function orchestratorHandler(options: OrchestratorOptions): TemplateHandler {
  return async (event: FunctionEvent, context: FunctionContextBuilder) => {
    let payload: Buffer = Buffer.from(typeof event.body === 'string' ? event.body : JSON.stringify(event.body));
    // Every step's span carries the id of the client's request, so the hops can be joined.
    const requestId = requestIdOf(event.headers);
    for (const step of options.steps) {
      const failure = (status: number, error: string): FunctionContextBuilder =>
        context.status(status).fail({ step, status, error } satisfies StepFailure);
      try {
        const res = await postHop(
          options.pool,
          { ...options.gateway, path: `/function/${step}` },
          { 'content-type': 'application/json', 'x-request-id': requestId },
          payload,
          options.stepTimeoutMs,
        );
        if (res.status < 200 || res.status >= 300) {
          return failure(502, `step ${step} answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`);
        }
        payload = res.body;
      } catch (cause) {
        if (cause instanceof HopTimeoutError) return failure(504, `step ${step}: no answer within ${options.stepTimeoutMs} ms`);
        return failure(502, `step ${step}: ${(cause as Error).message}`);
      }
    }
    return context.status(200).headers({ 'content-type': 'application/json' }).succeed(JSON.parse(payload.toString('utf8')));
  };
}
