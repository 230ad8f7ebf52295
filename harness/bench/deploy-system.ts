/** Deploys a system's plan on a target and finds the endpoint the client must call. */
import { usageError } from '../errors.ts';
import type { SystemPlan } from '../systems/system.ts';
import type { DeployOptions, Deployment, Endpoint, Target } from '../targets/target.ts';

export interface DeployedSystem {
  deployment: Deployment;
  entry: Endpoint;
  /** Where each unit or function was placed, "name@node". */
  placement: string[];
}

export async function deploySystem(target: Target, plan: SystemPlan, options: DeployOptions): Promise<DeployedSystem> {
  let deployment: Deployment;
  let entryName: string;
  if (plan.kind === 'units') {
    deployment = await target.deploy(plan.units, { ...options, ...(plan.onEndpoints ? { onEndpoints: plan.onEndpoints } : {}) });
    entryName = plan.entry;
  } else {
    const platform = target.capabilities.functions;
    if (!platform) throw usageError(`${plan.system} needs a function platform, which the ${target.kind} target does not provide`);
    deployment = await platform.deployFunctions(plan.functions, { readyTimeoutMs: options.readyTimeoutMs, onLine: options.onLine });
    entryName = 'gateway';
  }
  const entry = deployment.endpoints.get(entryName);
  if (!entry) throw new Error(`deployment of ${plan.system} has no endpoint ${entryName}`);
  return { deployment, entry, placement: [...deployment.placement].map(([name, node]) => `${name}@${node}`) };
}
