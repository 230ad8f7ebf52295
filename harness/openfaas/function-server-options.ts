/**
 * What both function runtimes (template-server.ts, the node20 template's express server, and
 * function-server.ts, the bare node:http one) are given and give back.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { ListeningServer } from '../dataflow/listen.ts';
import type { TemplateHandler } from './template-contract.ts';

export interface FunctionServerBase {
  name: string;
  handler: TemplateHandler;
  host: string;
  port: number;
  /** Node name written into spans. */
  node: string;
  /** Where span lines go (NDJSON, like the p2p services'; see dataflow/span-output.ts). */
  writeSpans: (chunk: string) => void;
}

export type StartedFunctionServer = ListeningServer;

/** The id the client's request carries through the chain; the gateway's X-Call-Id otherwise. */
export function requestIdOf(headers: http.IncomingHttpHeaders): string {
  const value = headers['x-request-id'] ?? headers['x-call-id'];
  return (Array.isArray(value) ? value[0] : value) ?? randomUUID();
}
