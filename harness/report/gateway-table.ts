/**
 * The OpenFaaS gateway's own counters against the harness's, per profile: a second source of
 * truth for how many calls the system answered, and how many of each function it proxied.
 */
import type { RunData } from './run-data.ts';
import { col, type Cell, type Table } from './table.ts';

export function gatewayCheckTable(run: RunData): Table {
  const rows: Cell[][] = [];
  for (const p of run.profiles) {
    const c = p.gatewayCheck;
    if (!c) continue;
    if ('error' in c) {
      rows.push([p.system, p.workers, p.repetition, null, null, null, null, null, null, c.error]);
      continue;
    }
    const steps = Object.entries(c.byFunction)
      .filter(([name]) => name !== c.entry)
      .map(([name, codes]) => `${name} ${Object.entries(codes).map(([code, n]) => `${code}:${n}`).join(' ')}`)
      .join('; ');
    rows.push([p.system, p.workers, p.repetition, c.harness.answered, c.gateway.total, c.harness.ok, c.gateway.ok, c.tolerance, c.agrees ? 'agree' : 'DISAGREE', steps]);
  }
  return {
    id: 'gateway-counters',
    title: 'Gateway counters vs the harness',
    caption:
      'gateway_function_invocation_total read from the gateway (port 8082) when each window opened and closed, against the responses the load generator received. ' +
      'Tolerance: requests in flight at the window\'s edges (the workers, plus those cut off at the end). Steps: every function the orchestrator called, by status code.',
    columns: [
      col('system'),
      col('workers', 'workers', 'int'),
      col('run', 'run', 'int'),
      col('harness_answered', 'harness answered', 'int'),
      col('gateway_calls', 'gateway calls', 'int'),
      col('harness_ok', 'harness ok', 'int'),
      col('gateway_2xx', 'gateway 2xx', 'int'),
      col('tolerance', 'tolerance', 'int'),
      col('verdict', 'verdict'),
      col('steps', 'steps (gateway)'),
    ],
    rows,
  };
}
