/**
 * The official OpenFaaS Node template's handler contract (node20 / node18 templates):
 * `handler(event, context)` where event = {body, headers, method, query, path} and context
 * chains status(), headers(), succeed() and fail(). Scenario functions are adapted to it, so
 * that a function built here behaves like one built from the template, with one deliberate
 * difference: a thrown error answers a real error status (the template answers 200).
 */
import type http from 'node:http';

export interface FunctionEvent {
  body: unknown;
  headers: http.IncomingHttpHeaders;
  method: string;
  query: Record<string, string>;
  path: string;
}

export interface HandlerResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The template's context object: a builder for the response. */
export class FunctionContextBuilder {
  private result: HandlerResult = { status: 200, headers: {}, body: undefined };
  private outcome: 'pending' | 'succeeded' | 'failed' = 'pending';

  status(code: number): this {
    this.result.status = code;
    return this;
  }
  headers(values: Record<string, string>): this {
    this.result.headers = { ...this.result.headers, ...values };
    return this;
  }
  succeed(body: unknown): this {
    this.result.body = body;
    this.outcome = 'succeeded';
    return this;
  }
  fail(body: unknown): this {
    this.result.body = body;
    // The template leaves the status alone here; a failure must not look like a success.
    if (this.result.status < 400) this.result.status = 500;
    this.outcome = 'failed';
    return this;
  }
  settled(): HandlerResult | undefined {
    return this.outcome === 'pending' ? undefined : this.result;
  }
}

export type TemplateHandler = (event: FunctionEvent, context: FunctionContextBuilder) => Promise<unknown> | unknown;

/**
 * Runs a handler the way the template's server does, but maps a thrown error to 500 with a
 * JSON body naming the function, instead of the template's 200.
 */
export async function invokeHandler(handler: TemplateHandler, event: FunctionEvent, functionName: string): Promise<HandlerResult> {
  const context = new FunctionContextBuilder();
  try {
    const returned = await handler(event, context);
    return context.settled() ?? { status: 200, headers: {}, body: returned };
  } catch (cause) {
    return { status: 500, headers: {}, body: { function: functionName, error: (cause as Error).message ?? String(cause) } };
  }
}
