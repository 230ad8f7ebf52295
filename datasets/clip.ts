/**
 * Error messages quote what they found in the file, but a dataset is data: one "field" may be
 * 16 MiB of NUL bytes. Every quotation is clipped, and a whole message is capped, so a message
 * stays one readable line whatever the file holds.
 */

const FIELD_CHARS = 60;
const MESSAGE_CHARS = 600;

/** `text` cut to a few dozen characters, with an ellipsis and the full length when cut. */
export function clip(text: string, max = FIELD_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length} characters)`;
}

/** `text` as a JSON string (control characters visible), clipped first. */
export function quoted(text: string, max = FIELD_CHARS): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** A whole problem description, capped. */
export function boundedMessage(text: string, max = MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
