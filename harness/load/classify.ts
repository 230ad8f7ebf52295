/** Maps an HTTP status or a client-side failure to the error classes of the result schema. */
import type { Outcome } from '../metrics/recorder.ts';

export function classifyStatus(status: number, hasEnvelope: boolean): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (hasEnvelope) return 'envelope';
  if (status >= 500) return 'http5xx';
  if (status >= 400) return 'http4xx';
  return 'other';
}

export function classifyFailure(error: unknown): Outcome {
  const e = error as { code?: string; message?: string } | null;
  const code = e?.code ?? '';
  if (code === 'FB_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return 'timeout';
  }
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || /socket hang up/i.test(e?.message ?? '')) {
    return 'reset';
  }
  if (/timed out/i.test(e?.message ?? '')) return 'timeout';
  return 'other';
}
