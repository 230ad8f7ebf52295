/** The gateway's Prometheus counters read as a second count of a profile's calls. */
import { describe, expect, it } from 'vitest';
import { checkAgainstGateway } from '../../harness/metrics/gateway-check.ts';
import { counterDelta, parseCounter } from '../../harness/metrics/prometheus.ts';

const scrape = (orchestrator200: number, orchestrator502: number, get200: number) => `# HELP gateway_function_invocation_total Function metrics
# TYPE gateway_function_invocation_total counter
gateway_function_invocation_total{code="200",function_name="orchestrator.openfaas-fn"} ${orchestrator200}
gateway_function_invocation_total{code="502",function_name="orchestrator.openfaas-fn"} ${orchestrator502}
gateway_function_invocation_total{code="200",function_name="get.openfaas-fn"} ${get200}
gateway_functions_seconds_sum{code="200",function_name="get.openfaas-fn"} 1.5
`;

const noErrors = { http4xx: 0, http5xx: 0, envelope: 0, timeout: 0, refused: 0, reset: 0, other: 0 };

describe('gateway counters against the harness', () => {
  it('parses the counter\'s series and nothing else', () => {
    const samples = parseCounter(scrape(10, 1, 11), 'gateway_function_invocation_total');
    expect(samples).toEqual([
      { labels: { code: '200', function_name: 'orchestrator.openfaas-fn' }, value: 10 },
      { labels: { code: '502', function_name: 'orchestrator.openfaas-fn' }, value: 1 },
      { labels: { code: '200', function_name: 'get.openfaas-fn' }, value: 11 },
    ]);
  });

  it('agrees when the window\'s increase matches the responses within the requests in flight at its edges', () => {
    const delta = counterDelta(parseCounter(scrape(10, 1, 11), 'gateway_function_invocation_total'), parseCounter(scrape(110, 3, 113), 'gateway_function_invocation_total'));
    const check = checkAgainstGateway(delta, 'orchestrator', 'openfaas-fn', { ok: 99, errors: { ...noErrors, http5xx: 2 }, cutOff: 1, workers: 2, throughput: 10, firstReadingLagMs: 0 });
    expect(check).toMatchObject({ harness: { answered: 101, ok: 99 }, gateway: { total: 102, ok: 100 }, tolerance: 3, agrees: true });
    expect(check.byFunction).toEqual({ orchestrator: { '200': 100, '502': 2 }, get: { '200': 102 } });
  });

  it('disagrees, and says by how much, when the counts part by more than that', () => {
    const delta = counterDelta([], parseCounter(scrape(150, 0, 150), 'gateway_function_invocation_total'));
    const check = checkAgainstGateway(delta, 'orchestrator', 'openfaas-fn', { ok: 100, errors: noErrors, cutOff: 0, workers: 5, throughput: 50, firstReadingLagMs: 40 });
    expect(check.tolerance).toBe(5 + 0 + 2); // 50 req/s × 40 ms until the first reading
    expect(check.agrees).toBe(false);
    expect(check.note).toContain('gateway counted 150 calls (150 2xx) of orchestrator, the harness 100 answered');
  });
});
