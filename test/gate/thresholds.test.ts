import { describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import { parseCheck, parseThresholds, printable } from '../../harness/gate/thresholds.ts';

describe('threshold checks', () => {
  it('reads relative and absolute bounds with units', () => {
    expect(parseCheck('p2p.throughput[workers=10] >= 0.9 * baseline', 1, 'f')).toMatchObject({
      system: 'p2p', metric: ['throughput'], workers: 10, op: '>=', bound: { kind: 'scaled', factor: 0.9 },
    });
    expect(parseCheck('openfaas.errorRate[workers=5] <= 1%', 1, 'f').bound).toEqual({ kind: 'absolute', value: 0.01 });
    expect(parseCheck('p2p.latency.p99[workers=50] <= baseline + 1.5s', 1, 'f').bound).toEqual({ kind: 'offset', delta: 1500 });
    expect(parseCheck('p2p.latencyOk.mean[workers=1] < 250ms', 1, 'f').bound).toEqual({ kind: 'absolute', value: 250 });
    expect(parseCheck('openfaas.latencyWithTimeouts.p99[workers=10] <= 2s', 1, 'f')).toMatchObject({ metric: ['latencyWithTimeouts', 'p99'], bound: { kind: 'absolute', value: 2000 } });
  });

  it('skips comments and blank lines, and numbers lines for messages', () => {
    const checks = parseThresholds('# loose\n\np2p.goodput[workers=1] > 1  # at least one\n', 't.txt');
    expect(checks).toHaveLength(1);
    expect(checks[0]!.line).toBe(3);
  });

  it.each([
    ['p2p.speed[workers=1] >= 1', /t\.txt:1: unknown metric "speed"/],
    ['p2p.throughput >= 1', /t\.txt:1: cannot read/],
    ['p2p.errorRate[workers=1] <= 5ms', /errorRate takes a fraction or a percentage/],
    ['p2p.latency.p99[workers=1] <= 5%', /latency takes ms or s/],
    ['p2p.throughput[workers=1] >= baseline / 2', /write the baseline bound as/],
    ['# nothing here', /holds no checks/],
    // Issue 14, audit item 7: a 400-digit number read as Infinity, "no limit", where 1e400 was refused.
    [`p2p.latency.p99[workers=1] <= ${'9'.repeat(400)}ms`, /t\.txt:1: 9{24}… is too large to be a limit/],
    [`p2p.throughput[workers=1] >= ${'9'.repeat(309)}`, /is too large to be a limit/],
    [`p2p.latency.p99[workers=1] <= ${'9'.repeat(306)}s`, /is too large to be a limit/],
    [`p2p.throughput[workers=1] >= baseline * ${'9'.repeat(400)}`, /is too large to be a factor/],
    [`p2p.latency.p99[workers=1] <= baseline + ${'9'.repeat(400)}ms`, /is too large to be a limit/],
    // ... and limits no figure can be on the other side of.
    ['p2p.errorRate[workers=1] <= -5%', /t\.txt:1: a negative limit can never hold \(an error rate is never below 0 %\)/],
    ['p2p.latency.p50[workers=1] < -1s', /a negative limit can never hold \(a latency is never below 0 ms\)/],
    ['p2p.throughput[workers=1] >= -1', /a negative limit always holds \(a rate is never below 0 req\/s\)/],
    ['p2p.latency.p99[workers=1] < 0', /"< 0" can never hold/],
    ['p2p.errorRate[workers=1] <= 5', /errorRate is a fraction from 0 to 1 \(0% to 100%\), so 5 \(500%\) always holds/],
    ['p2p.errorRate[workers=1] > 100%', /errorRate > 100% can never hold/],
    ['p2p.latency.p99[workers=1] <= baseline + -5ms', /write one sign/],
  ])('rejects %j with a message naming the file and line', (text, message) => {
    const attempt = () => parseThresholds(text, 't.txt');
    expect(attempt).toThrow(FogbenchError);
    expect(attempt).toThrow(message);
  });

  it('still reads bounds at the edges: 0, 100%, a relative bound below the baseline', () => {
    expect(parseCheck('p2p.errorRate[workers=1] <= 0%', 1, 'f').bound).toEqual({ kind: 'absolute', value: 0 });
    expect(parseCheck('p2p.errorRate[workers=1] < 100%', 1, 'f').bound).toEqual({ kind: 'absolute', value: 1 });
    expect(parseCheck('p2p.latency.p99[workers=1] <= baseline - 5ms', 1, 'f').bound).toEqual({ kind: 'offset', delta: -5 });
  });

  // Issue 14, audit item 7: a binary file's bytes, escape sequences included, went to the terminal.
  it('refuses a binary file showing a printable, clipped excerpt of it', () => {
    const binary = `\x7fELF\x02\x01\x01\x00\x1b[2J\x1b]0;owned\x07${'\ufffd'.repeat(500)}\nmore`;
    const attempt = () => parseThresholds(binary, 'bin');
    expect(attempt).toThrow(/^bin:1: not a text file \("\\x7fELF\\x02\\x01\\x01\\x00\\x1b\[2J\\x1b\]0;owned\\x07.*…"\); a thresholds file holds one check per line/);
    const message = (() => { try { attempt(); } catch (e) { return (e as Error).message; } return ''; })();
    expect(message).not.toMatch(/[\x00-\x1f\x7f-\x9f\ufffd]/);
    expect(message.length).toBeLessThan(200);
    // A text line it cannot read is shown the same way.
    expect(() => parseThresholds('p2p.throughput[workers=1] >= 1\x1b[31m\n', 't')).toThrow('t:1: "1\\x1b[31m" is not a number');
    expect(printable('a'.repeat(100), 10)).toBe(`${'a'.repeat(10)}…`);
    expect(printable('\u2028\ud800x')).toBe('\\u{2028}\\u{d800}x');
  });
});
