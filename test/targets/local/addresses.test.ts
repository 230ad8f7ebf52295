import { describe, expect, it } from 'vitest';
import { blockOf, hostAddress, macFor, nodeRange, pickFreeBlock, podAddress } from '../../../harness/targets/local/addresses.ts';

describe('fog address plan', () => {
  it('stays inside the benchmarking range 198.18.0.0/15', () => {
    expect(hostAddress(0)).toBe('198.18.0.1');
    expect(nodeRange(0, 0)).toBe('198.18.1.0/24');
    expect(podAddress(0, 2, 0)).toBe('198.18.3.10');
    expect(hostAddress(31)).toBe('198.19.240.1');
    expect(podAddress(31, 14, 239)).toBe('198.19.255.249');
    expect(() => podAddress(0, 0, 240)).toThrow(/pods fit on one node/);
    expect(() => podAddress(0, 15, 0)).toThrow(/nodes fit/);
  });

  it('derives a stable, locally administered MAC from a pod address', () => {
    expect(macFor('198.18.3.10')).toBe('02:fb:c6:12:03:0a');
    expect(macFor('198.19.255.249')).toBe('02:fb:c6:13:ff:f9');
  });

  it('picks a block no host address uses', () => {
    expect(blockOf('198.18.17.10')).toBe(1);
    expect(blockOf('10.0.0.1')).toBeNull();
    expect(blockOf('198.20.0.1')).toBeNull();
    expect(pickFreeBlock(['127.0.0.1', '198.18.0.1', '198.18.16.1'], 0)).toBe(2);
    expect(pickFreeBlock(['198.19.240.1'], 31)).toBe(0);
    const all = Array.from({ length: 32 }, (_, b) => hostAddress(b));
    expect(pickFreeBlock(all, 5)).toBeNull();
  });
});
