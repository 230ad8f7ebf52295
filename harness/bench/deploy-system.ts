/** Deploys a system's plan on a target and finds the endpoint the client must call. */
import { usageError } from '../errors.ts';
import type { SystemPlan } from '../systems/system.ts';
import { deployOpenFaaSFunctions, isKubeTarget } from '../targets/kube/openfaas-functions.ts';
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
    deployment = await target.deploy(plan.units, options);
    entryName = plan.entry;
  } else {
    if (!isKubeTarget(target)) {
      throw usageError(
        `openfaas cannot run on the ${target.kind} target: locally it needs the real OpenFaaS gateway and of-watchdog, ` +
          'which the Go module proxy refuses here (issue #5); use --target kube with a cluster running the OpenFaaS chart',
      );
    }
    deployment = await deployOpenFaaSFunctions(target, plan.functions, options.readyTimeoutMs);
    entryName = 'gateway';
  }
  const entry = deployment.endpoints.get(entryName);
  if (!entry) throw new Error(`deployment of ${plan.system} has no endpoint ${entryName}`);
  return { deployment, entry, placement: [...deployment.placement].map(([name, node]) => `${name}@${node}`) };
}
