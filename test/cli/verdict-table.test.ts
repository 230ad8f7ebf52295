import { describe, expect, it } from 'vitest';
import { renderVerdictTable } from '../../harness/cli/verdict-table.ts';
import type { Verdict } from '../../harness/replication/verdicts.ts';

const verdict = (id: Verdict['id'], status: Verdict['status'], evidence: string): Verdict => ({ id, claim: `claim ${id}`, source: 'Table I (lines 596–602)', status, evidence });

describe('renderVerdictTable', () => {
  it('counts the verdicts, puts one claim a line and its evidence wrapped under the claim', () => {
    const text = renderVerdictTable(
      [
        verdict('C1', 'reproduced', 'short evidence'),
        verdict('C10', 'not-reproduced', Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')),
        verdict('C7', 'untestable', 'openfaas at 10 workers has a 30 s window'),
      ],
      '/runs/x/verdicts.json',
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe("the paper's claims: 1 reproduced, 1 not reproduced, 1 untestable (rules: docs/replication.md; every claim's source and evidence in full: /runs/x/verdicts.json)");
    expect(lines[1]).toBe('C1   reproduced      claim C1');
    expect(lines[2]).toBe(`${' '.repeat(21)}short evidence`);
    expect(lines[3]).toBe('C10  not-reproduced  claim C10');
    expect(lines.slice(4, 7).every((l) => l.startsWith(' '.repeat(21)) && l.length <= 121)).toBe(true);
    expect(lines.slice(4, 7).join(' ').replace(/\s+/g, ' ').trim()).toBe(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '));
    expect(lines[7]).toBe('C7   untestable      claim C7');
  });

  it('cuts evidence past four lines, pointing to verdicts.json for the rest', () => {
    const long = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const lines = renderVerdictTable([verdict('C14', 'reproduced', long)], 'v.json').split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatch(/ …$/);
  });
});
