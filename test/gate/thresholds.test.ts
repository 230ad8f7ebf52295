import { describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import { parseCheck, parseThresholds } from '../../harness/gate/thresholds.ts';

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
  ])('rejects %j with a message naming the file and line', (text, message) => {
    const attempt = () => parseThresholds(text, 't.txt');
    expect(attempt).toThrow(FogbenchError);
    expect(attempt).toThrow(message);
  });
});
