/** The registry of load drivers, and the rule for choosing one that measures correctly. */
import { usageError } from '../errors.ts';
import type { DriverName } from './agent-protocol.ts';
import { autocannonDriver } from './autocannon-driver.ts';
import type { LoadDriver, LoadSpec } from './driver.ts';
import { heyDriver } from './hey-driver.ts';
import { httpDriver } from './http-driver.ts';
import { openLoopDriver } from './open-loop-driver.ts';

export const DRIVERS: Record<DriverName, LoadDriver> = {
  'fogbench-http': httpDriver,
  autocannon: autocannonDriver,
  'fogbench-open-loop': openLoopDriver,
  hey: heyDriver,
};

/**
 * Open loop when a rate is given; otherwise autocannon where it is right (keep-alive on) and
 * our own driver where it is not.
 */
export function chooseDriver(requested: DriverName | 'auto', spec: Pick<LoadSpec, 'keepAlive' | 'rate'>): DriverName {
  const open = spec.rate !== undefined;
  if (requested === 'auto') return open ? 'fogbench-open-loop' : spec.keepAlive ? 'autocannon' : 'fogbench-http';
  if (open !== (requested === 'fogbench-open-loop')) {
    throw usageError(open ? `--rate needs the open-loop driver, not --driver ${requested}` : '--driver fogbench-open-loop needs --rate');
  }
  const why = DRIVERS[requested].unsupported(spec as LoadSpec);
  if (why) throw usageError(`--driver ${requested} cannot be used here: ${why}`);
  return requested;
}
