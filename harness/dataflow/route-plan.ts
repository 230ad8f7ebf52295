/**
 * What a service does with the route a request carries: refuse it (and why), answer (it is the
 * last service), or call the next service and pass the rest on. Every request of a chain carries
 * the same route, so the plan of the last route seen is kept and the header is not split, checked
 * and joined again for each request.
 */
import { parseRoute } from './protocol.ts';
import { routeProblem, type ServiceTable } from './service-table.ts';

export type RoutePlan =
  | { kind: 'rejected'; problem: string }
  | { kind: 'last' }
  /** `rest`: the route header for the next service (the names after it, comma-separated). */
  | { kind: 'forward'; next: string; rest: string };

export function planRoute(route: readonly string[], self: string, table: ServiceTable): RoutePlan {
  const problem = routeProblem(route, self, table);
  if (problem !== null) return { kind: 'rejected', problem };
  const [next, ...rest] = route;
  return next === undefined ? { kind: 'last' } : { kind: 'forward', next, rest: rest.join(',') };
}

/** The plan for a request's route header (`defaultRoute` when it carries none), the last one remembered. */
export function createRoutePlanner(self: string, table: ServiceTable, defaultRoute: readonly string[]): (header: string | string[] | undefined) => RoutePlan {
  const byDefault = planRoute(defaultRoute, self, table);
  let lastHeader: string | undefined;
  let lastPlan: RoutePlan = byDefault;
  return (header) => {
    if (header === undefined) return byDefault;
    if (typeof header === 'string' && header === lastHeader) return lastPlan;
    const plan = planRoute(parseRoute(header) ?? [], self, table);
    if (typeof header === 'string') {
      lastHeader = header;
      lastPlan = plan;
    }
    return plan;
  };
}
