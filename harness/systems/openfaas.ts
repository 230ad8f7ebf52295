/** The openfaas system lives with the rest of OpenFaaS, in harness/openfaas. */
export { openfaasChainSystem, openfaasSystem } from '../openfaas/system.ts';
