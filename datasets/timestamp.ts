/**
 * Timestamp validation. Urban Observatory CSV exports write `YYYY-MM-DD HH:mm:ss` (UTC); the
 * compact form may also use ISO 8601 (`T` separator, fraction, `Z` or offset). Anything else is
 * rejected rather than guessed: "01/02/2019" is the 1st of February or the 2nd of January
 * depending on who wrote it, and epoch numbers could be seconds or milliseconds.
 */
import { quoted } from './clip.ts';

export const TIMESTAMP_FORMATS = 'YYYY-MM-DD HH:mm:ss (or ISO 8601 YYYY-MM-DDTHH:mm:ss[.sss][Z|±hh:mm])';

const ISO = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):?(\d{2}))?$/;

/** Why the text is not a supported timestamp, or undefined when it is one. */
export function timestampProblem(text: string): string | undefined {
  // Fast path for the exact Urban Observatory form, which is nearly every row of a month.
  if (text.length === 19 && text.charCodeAt(10) === 32) {
    const y = digits4(text, 0);
    const mo = digits2(text, 5);
    const d = digits2(text, 8);
    const h = digits2(text, 11);
    const mi = digits2(text, 14);
    const s = digits2(text, 17);
    if (
      y >= 0 && mo >= 0 && d >= 0 && h >= 0 && mi >= 0 && s >= 0 &&
      text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58
    ) {
      return rangeProblem(y, mo, d, h, mi, s);
    }
  }
  const m = ISO.exec(text);
  if (!m) return `unknown timestamp format ${quoted(text)}: expected ${TIMESTAMP_FORMATS}`;
  const problem = rangeProblem(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (problem) return problem;
  if (m[7] !== undefined && (Number(m[7]) > 14 || Number(m[8]) > 59)) return `timestamp ${quoted(text)} has an impossible UTC offset`;
  return undefined;
}

function rangeProblem(y: number, mo: number, d: number, h: number, mi: number, s: number): string | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return `timestamp ${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)} is not a real date and time`;
  }
  return undefined;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The two decimal digits at i as a number, or -1. */
function digits2(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function digits4(t: string, i: number): number {
  const hi = digits2(t, i);
  const lo = digits2(t, i + 2);
  return hi >= 0 && lo >= 0 ? hi * 100 + lo : -1;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
