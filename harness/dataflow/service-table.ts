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
