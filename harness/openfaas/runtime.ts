/**
 * Which server a compiled OpenFaaS function runs in (`--function-runtime`):
 * - `template` (default): as the official node20 template serves a handler (express 4 +
 *   body-parser, template-server.ts), with the orchestrator and chained functions calling the
 *   gateway as function code does (fetch, JSON decoded and re-encoded at every step): OpenFaaS
 *   as users deploy it;
 * - `bare`: plain node:http with raw bytes passed between steps (function-server.ts): how much
 *   of OpenFaaS's cost is the template's, as a sensitivity check.
 * p2p services are not affected: they are fogbench's own generated services either way.
 */
export const FUNCTION_RUNTIMES = ['template', 'bare'] as const;
export type FunctionRuntime = (typeof FUNCTION_RUNTIMES)[number];
export const DEFAULT_FUNCTION_RUNTIME: FunctionRuntime = 'template';

/** The env var the compiled function reads (set in the function's spec, so kube images get it too). */
export const FUNCTION_RUNTIME_ENV = 'FOGBENCH_FUNCTION_RUNTIME';

export function parseFunctionRuntime(value: string | undefined): FunctionRuntime {
  if (value === undefined || value === '') return DEFAULT_FUNCTION_RUNTIME;
  if ((FUNCTION_RUNTIMES as readonly string[]).includes(value)) return value as FunctionRuntime;
  throw new Error(`${FUNCTION_RUNTIME_ENV} must be one of ${FUNCTION_RUNTIMES.join(', ')}, not "${value}"`);
}
