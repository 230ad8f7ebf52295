/**
 * The deployment's service table: the only way a route name becomes an address. A route can
 * therefore never point a service at a host the deployment did not list.
 */
export interface ServiceAddress {
  host: string;
  port: number;
}

export type ServiceTable = ReadonlyMap<string, ServiceAddress>;

export function serializeServiceTable(entries: Iterable<[string, ServiceAddress]>): string {
  return JSON.stringify(Object.fromEntries(entries));
}

export function parseServiceTable(json: string): ServiceTable {
  const raw = JSON.parse(json) as Record<string, Partial<ServiceAddress>>;
  const table = new Map<string, ServiceAddress>();
  for (const [name, addr] of Object.entries(raw)) {
    if (typeof addr?.host !== 'string' || typeof addr.port !== 'number') {
      throw new Error(`service table entry "${name}" needs a host and a numeric port`);
    }
    table.set(name, { host: addr.host, port: addr.port });
  }
  return table;
}

/** Names in the route that the table does not know. */
export function unknownNames(route: readonly string[], table: ServiceTable): string[] {
  return route.filter((name) => !table.has(name));
}

/**
 * Why a route carried in a request cannot be followed by service `self`, or null when it can.
 * A chain visits each service at most once, so a route is never longer than the table, never
 * names a service twice and never names the receiver itself: a route that loops (`get` named
 * 65 times) would otherwise take every pooled connection of a service to itself and stall the
 * requests behind it. Checked before any connection is made.
 */
export function routeProblem(route: readonly string[], self: string, table: ServiceTable): string | null {
  const shown = (names: readonly string[]) => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  if (route.length > table.size) return `the route names ${route.length} services; this deployment has ${table.size}`;
  const unknown = unknownNames(route, table);
  if (unknown.length > 0) return `route names not in the service table: ${shown(unknown.map((n) => (n.length > 64 ? `${n.slice(0, 64)}…` : n)))}`;
  if (route.includes(self)) return `the route leads back to ${self} itself`;
  const repeated = route.filter((name, i) => route.indexOf(name) !== i);
  if (repeated.length > 0) return `the route names ${shown([...new Set(repeated)])} more than once`;
  return null;
}
