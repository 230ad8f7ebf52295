/**
 * A second source of truth for a profile through the OpenFaaS gateway: the gateway's own
 * `gateway_function_invocation_total{function_name, code}` counters, scraped when the
 * measured window opens and when it closes, against the harness's counts of the same window.
 * The two can differ by requests that straddle a boundary: at most `workers` in flight when
 * the window opened (closed loop), those that completed between the window's start and the
 * first reading (the rate times that lag), and those the harness cut off at its end.
 */
import type { ErrorCounts, GatewayCheck } from '../results/schema.ts';
import type { PromSample } from './prometheus.ts';

export interface HarnessCounts {
  ok: number;
  errors: ErrorCounts;
  cutOff: number;
  workers: number;
  /** Responses per second over the window, and how long after its start the first reading came. */
  throughput: number;
  firstReadingLagMs: number;
}

/**
 * `entry` is the function the client calls (orchestrator), `namespace` the suffix the gateway
 * puts on function names when function_namespace is set.
 */
export function checkAgainstGateway(delta: readonly PromSample[], entry: string, namespace: string, harness: HarnessCounts): GatewayCheck {
  const byFunction: GatewayCheck['byFunction'] = {};
  for (const sample of delta) {
    const name = (sample.labels.function_name ?? '').replace(new RegExp(`\\.${namespace}$`), '');
    const codes = (byFunction[name] ??= {});
    const code = sample.labels.code ?? 'unknown';
    codes[code] = (codes[code] ?? 0) + sample.value;
  }
  const entryCodes = byFunction[entry] ?? {};
  const gatewayTotal = Object.values(entryCodes).reduce((a, b) => a + b, 0);
  const gatewayOk = Object.entries(entryCodes).filter(([code]) => code.startsWith('2')).reduce((a, [, n]) => a + n, 0);
  // Responses the client received with a status: every one of them passed the gateway's counter.
  const answered = harness.ok + harness.errors.http4xx + harness.errors.http5xx + harness.errors.envelope;
  const tolerance = harness.workers + harness.cutOff + Math.ceil((harness.throughput * Math.max(0, harness.firstReadingLagMs)) / 1000);
  const totalDiff = gatewayTotal - answered;
  const okDiff = gatewayOk - harness.ok;
  const agrees = Math.abs(totalDiff) <= tolerance && Math.abs(okDiff) <= tolerance;
  return {
    counter: 'gateway_function_invocation_total',
    entry,
    harness: { answered, ok: harness.ok },
    gateway: { total: gatewayTotal, ok: gatewayOk },
    tolerance,
    agrees,
    note: agrees
      ? `gateway and harness agree within ${tolerance} (requests in flight or completing at the window's edges)`
      : `gateway counted ${gatewayTotal} calls (${gatewayOk} 2xx) of ${entry}, the harness ${answered} answered (${harness.ok} ok): off by more than the ${tolerance} in flight or completing at the window's edges`,
    byFunction,
  };
}
