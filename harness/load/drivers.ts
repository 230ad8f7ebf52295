/** The registry of load drivers, and the rule for choosing one that measures correctly. */
import { usageError } from '../errors.ts';
import type { DriverName } from './agent-protocol.ts';
import { autocannonDriver } from './autocannon-driver.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';
import { httpDriver } from './http-driver.ts';

export const DRIVERS: Record<DriverName, LoadDriver> = {
  'fogbench-http': httpDriver,
  autocannon: autocannonDriver,
};

/** autocannon where it is right (keep-alive on), our own driver where it is not. */
export function chooseDriver(requested: DriverName | 'auto', spec: Pick<LoadSpec, 'keepAlive'>): DriverName {
  if (requested === 'auto') return spec.keepAlive ? 'autocannon' : 'fogbench-http';
  const why = DRIVERS[requested].unsupported(spec as LoadSpec);
  if (why) throw usageError(`--driver ${requested} cannot be used here: ${why}`);
  return requested;
}
