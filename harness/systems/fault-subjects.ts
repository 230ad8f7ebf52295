/**
 * What a --fault may name among a system's units (pure), and the pods each name reaches, as the
 * targets resolve a subject when they inject the fault (fog-faults.ts): a pod by its name, one
 * container by `pod/container`, and every replica of a service by the service's name.
 */
import type { FaultSubjects } from './system.ts';

export interface NamedUnit {
  name: string;
  /** The service it is a replica of; default: its own name. */
  service?: string;
  sidecars?: readonly { name: string }[];
}

export function unitSubjects(units: readonly NamedUnit[]): FaultSubjects {
  const reach = new Map<string, string[]>();
  const add = (subject: string, pod: string) => {
    const pods = reach.get(subject) ?? [];
    if (!pods.includes(pod)) pods.push(pod);
    reach.set(subject, pods);
  };
  for (const unit of units) {
    add(unit.name, unit.name);
    add(unit.service ?? unit.name, unit.name);
    for (const sidecar of unit.sidecars ?? []) add(`${unit.name}/${sidecar.name}`, unit.name);
  }
  return reach;
}
