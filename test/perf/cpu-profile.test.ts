/** The "what costs what" summary of V8 CPU profiles, on a hand-made profile. */
import { describe, expect, it } from 'vitest';
import { summarizeProfiles, type CpuProfile } from '../../harness/perf/cpu-profile.ts';

const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });

describe('summarizeProfiles', () => {
  it('charges self time to categories, a native frame to its JavaScript caller, and leaves idle out', () => {
    const profile: CpuProfile = {
      nodes: [
        frame(1, '(root)', '', [2, 5, 6, 7]),
        frame(2, 'handle', 'file:///tmp/x/service.mjs', [3]),
        frame(3, 'writevGeneric', 'node:internal/stream_base_commons', [4]),
        frame(4, 'writev', ''),
        frame(5, 'parserOnHeadersComplete', 'node:_http_common'),
        frame(6, '(idle)', ''),
        frame(7, '(garbage collector)', ''),
      ],
      samples: [2, 2, 4, 5, 6, 6, 6, 7, 3],
      timeDeltas: [1000, 1000, 3000, 2000, 9000, 9000, 9000, 500, 250],
    };
    const { byCategory, byOwnFunction } = summarizeProfiles([profile], (url) => url.endsWith('/service.mjs'));
    expect(Object.fromEntries(byCategory)).toEqual({
      "the service's own code (handler, routing, spans, scenario function, JSON)": 2,
      "socket writes (syscalls; on loopback they carry the receiver's TCP work too)": 3,
      'node:http (parsing, headers, agent)': 2,
      'sockets and streams (JavaScript side)': 0.25,
      'garbage collection': 0.5,
    });
    expect(Object.fromEntries(byOwnFunction)).toEqual({ handle: 2 });
  });
});
