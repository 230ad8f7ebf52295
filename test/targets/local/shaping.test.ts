import { describe, expect, it } from 'vitest';
import { describeShaping, linkQdiscCommands, tbfParameters } from '../../../harness/targets/local/shaping.ts';

describe('link shaping commands', () => {
  it('shapes bandwidth with tbf, with a bucket of at least 32 KiB', () => {
    expect(linkQdiscCommands('fbfaaaau1', { bandwidthMbit: 10, latencyMs: 0, jitterMs: 0 }, 'none')).toEqual([
      ['qdisc', 'replace', 'dev', 'fbfaaaau1', 'root', 'handle', '1:', 'tbf', 'rate', '10mbit', 'burst', '32768', 'latency', '50ms'],
    ]);
    expect(tbfParameters(1000)).toContain(String(625_000));
  });

  it('puts netem under tbf where the kernel has it, and refuses latency where it does not', () => {
    expect(linkQdiscCommands('d', { bandwidthMbit: null, latencyMs: 20, jitterMs: 5 }, 'netem')).toEqual([
      ['qdisc', 'replace', 'dev', 'd', 'root', 'handle', '1:', 'netem', 'delay', '20ms', '5ms', 'limit', '100000'],
    ]);
    const commands = linkQdiscCommands('d', { bandwidthMbit: 10, latencyMs: 20, jitterMs: 0 }, 'netem');
    expect(commands[1]).toEqual(['qdisc', 'replace', 'dev', 'd', 'parent', '1:1', 'handle', '10:', 'netem', 'delay', '20ms', 'limit', '100000']);
    expect(linkQdiscCommands('d', { bandwidthMbit: null, latencyMs: 0, jitterMs: 0 }, 'none')).toEqual([]);
    expect(() => linkQdiscCommands('d', { bandwidthMbit: null, latencyMs: 20, jitterMs: 0 }, 'none')).toThrow(/netem or the link-delay relay/);
  });

  it('says which nodes got which shaping', () => {
    const text = describeShaping(
      [
        { node: 'client', link: { bandwidthMbit: null, latencyMs: 0, jitterMs: 0 } },
        { node: 'w1', link: { bandwidthMbit: 10, latencyMs: 0, jitterMs: 0 } },
        { node: 'w2', link: { bandwidthMbit: 10, latencyMs: 0, jitterMs: 0 } },
      ],
      'none',
    );
    expect(text).toContain('client: no bandwidth limit and no added latency');
    expect(text).toContain('w1, w2: tbf 10 mbit/s and no added latency');
    expect(text).toContain('no link asked for latency');
    const relayed = describeShaping([{ node: 'w1', link: { bandwidthMbit: null, latencyMs: 10, jitterMs: 0 } }], 'relay');
    expect(relayed).toContain('w1: no bandwidth limit and 10 ms delay by the fogbench-link-delay relay');
    expect(relayed).toContain('this kernel has no netem');
  });

  it('leaves latency to the relay and only shapes bandwidth on its TAP devices', () => {
    expect(linkQdiscCommands('d', { bandwidthMbit: 10, latencyMs: 20, jitterMs: 0 }, 'relay')).toHaveLength(1);
    expect(linkQdiscCommands('d', { bandwidthMbit: null, latencyMs: 20, jitterMs: 0 }, 'relay')).toEqual([]);
  });
});
