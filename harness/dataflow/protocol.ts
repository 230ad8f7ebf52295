/**
 * The point-to-point protocol, shared by services and the load driver. See DESIGN.md,
 * "Point-to-point protocol".
 */

export const HEADER = {
  /** Comma-separated names of the services still to call after the receiver; first is next. */
  route: 'x-fogbench-route',
  requestId: 'x-request-id',
  /** Present (with the error kind) when the body is an error envelope rather than a result. */
  error: 'x-fogbench-error',
  /** Milliseconds left for the rest of the chain; each hop passes on less than it got. */
  budget: 'x-fogbench-budget-ms',
} as const;

export type ErrorKind = 'function' | 'timeout' | 'network' | 'rejected';

export interface ErrorEnvelope {
  /** The service where the error arose (for a failed hop: the service that could not be reached). */
  service: string;
  kind: ErrorKind;
  message: string;
}

/** Status the last service answers with when an envelope reaches it. */
export function statusForError(kind: ErrorKind): number {
  switch (kind) {
    case 'rejected':
      return 400;
    case 'function':
      return 500;
    case 'timeout':
      return 504;
    case 'network':
      return 502;
  }
}

export function parseRoute(header: string | string[] | undefined): string[] | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(',') : header;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return value === 'function' || value === 'timeout' || value === 'network' || value === 'rejected';
}

export function parseEnvelope(body: Buffer, fallbackService: string): ErrorEnvelope {
  try {
    const v = JSON.parse(body.toString('utf8')) as Partial<ErrorEnvelope>;
    if (typeof v.service === 'string' && isErrorKind(v.kind) && typeof v.message === 'string') {
      return { service: v.service, kind: v.kind, message: v.message };
    }
  } catch {
    // fall through: a malformed envelope is still an error, reported as such
  }
  return { service: fallbackService, kind: 'network', message: 'malformed error envelope from upstream' };
}
