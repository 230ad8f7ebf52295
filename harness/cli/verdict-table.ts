/** The verdicts on the paper's claims as the terminal shows them under the summary (pure). */
import type { Verdict } from '../replication/verdicts.ts';

const EVIDENCE_WIDTH = 100;
const EVIDENCE_LINES = 4;

/** Word-wrapped to `width`, at most `lines` lines, the last one ending in … when cut. */
function wrap(text: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  if (out.length <= lines) return out;
  const kept = out.slice(0, lines);
  kept[lines - 1] = `${kept[lines - 1]!.slice(0, width - 2)} …`;
  return kept;
}

export function renderVerdictTable(verdicts: readonly Verdict[], verdictsFile: string): string {
  const count = (status: Verdict['status']) => verdicts.filter((v) => v.status === status).length;
  const idWidth = Math.max(...verdicts.map((v) => v.id.length));
  const statusWidth = Math.max(...verdicts.map((v) => v.status.length));
  const indent = ' '.repeat(idWidth + statusWidth + 4);
  const rows = verdicts.flatMap((v) => [
    `${v.id.padEnd(idWidth)}  ${v.status.padEnd(statusWidth)}  ${v.claim}`,
    ...wrap(v.evidence, EVIDENCE_WIDTH, EVIDENCE_LINES).map((l) => `${indent}${l}`),
  ]);
  return [
    `the paper's claims: ${count('reproduced')} reproduced, ${count('not-reproduced')} not reproduced, ${count('untestable')} untestable ` +
      `(rules: docs/replication.md; every claim's source and evidence in full: ${verdictsFile})`,
    ...rows,
  ].join('\n');
}
