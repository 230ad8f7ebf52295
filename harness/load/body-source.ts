/**
 * Where request bodies come from. The dataset replay cursor is one; a fixed body (for
 * cross-checking drivers against hey) is another. One source is shared by every worker of a
 * profile, so records are sent in order across workers.
 */
export interface BodySource {
  /** The next request body. Called once per request, by any worker. */
  next(): Buffer;
  /** What the source replays, for the manifest. */
  describe(): Record<string, unknown>;
}

export function fixedBody(body: Buffer | string): BodySource {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { next: () => buf, describe: () => ({ kind: 'fixed', bytes: buf.length }) };
}
