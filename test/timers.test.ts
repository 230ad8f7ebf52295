/**
 * Timers (issue 25, finding 1): a fault lasting longer than 2^31 − 1 ms was reverted after 1 ms,
 * Node's timers holding no more. harness/timers.ts waits any delay; every timer in harness/ with
 * a computed delay must go through it, which the source check below keeps true.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { after, MAX_TIMER_MS, sleep } from '../harness/timers.ts';
import { tsFiles } from './helpers/import-cycles.ts';

/** A delay written as a constant: a number, an UPPER_CASE name, or arithmetic of those. */
function constant(node: ts.Expression): boolean {
  if (ts.isNumericLiteral(node)) return true;
  if (ts.isIdentifier(node)) return /^[A-Z][A-Z0-9_]*$/.test(node.text);
  if (ts.isParenthesizedExpression(node)) return constant(node.expression);
  if (ts.isBinaryExpression(node)) return constant(node.left) && constant(node.right);
  if (ts.isPrefixUnaryExpression(node)) return constant(node.operand);
  return false;
}

/** setTimeout / setInterval calls (global or `globalThis.`) whose delay is not a constant. */
function computedTimers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      if (/^(globalThis\.)?set(Timeout|Interval)$/.test(callee)) {
        const delay = node.arguments[1];
        if (delay === undefined || !constant(delay)) {
          const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
          found.push(`${path.relative(process.cwd(), file)}:${line + 1}: ${callee}(…, ${delay?.getText(source) ?? 'no delay'})`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('timers', () => {
  it('every timer in harness/ with a computed delay goes through harness/timers.ts', () => {
    const offenders = tsFiles('harness')
      .filter((f) => f !== path.join('harness', 'timers.ts'))
      .flatMap(computedTimers);
    expect(offenders).toEqual([]);
  });

  it('waits a delay longer than one Node timer holds, and never fires for Infinity', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      let fired = 0;
      const long = after(MAX_TIMER_MS + 1_000, () => fired++);
      const forever = after(Infinity, () => fired++);
      await sleep(50);
      expect(fired).toBe(0);
      long.clear();
      forever.clear();
      const t = performance.now();
      await sleep(30);
      expect(performance.now() - t).toBeGreaterThanOrEqual(29);
      expect(warnings).not.toContain('TimeoutOverflowWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
