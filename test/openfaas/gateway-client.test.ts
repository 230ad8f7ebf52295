/**
 * The gateway client against a FAKE OpenFaaS gateway: a real HTTP server in this test that
 * implements the faas-provider system API the client calls (with basic auth), and keeps the
 * functions it is given. It checks requests and answers, not OpenFaaS itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import {
  GatewayClient,
  pinnedToNode,
  SCALE_MAX_LABEL,
  SCALE_MIN_LABEL,
  withFixedScale,
  type FunctionDeployment,
} from '../../harness/openfaas/gateway-client.ts';
import { FakeGateway, PASSWORD } from './fake-gateway.ts';


let gateway: FakeGateway;
let url: string;
beforeEach(async () => {
  gateway = new FakeGateway();
  url = await gateway.start();
});
afterEach(async () => {
  await gateway.stop();
});

const client = (password = PASSWORD) => new GatewayClient({ url: `${url}/`, credentials: { user: 'admin', password }, namespace: 'openfaas-fn', timeoutMs: 5_000 });
const spec = (service: string): FunctionDeployment => withFixedScale({ service, image: `fogbench/${service}:0123456789ab`, envProcess: 'node index.js' }, 1);

describe('OpenFaaS gateway client against a fake gateway', () => {
  it('deploys with fixed scale, lists, scales, waits for replicas and deletes, with basic auth on every call', async () => {
    const gw = client();
    expect((await gw.info()).provider?.provider).toBe('faas-netes');
    await gw.deploy(pinnedToNode(spec('filter-temperature'), 'lab-agent-2'));
    await gw.apply(spec('orchestrator')); // new: POST
    await gw.apply(spec('orchestrator')); // existing: PUT
    expect(gateway.seen.filter((s) => s.path.split('?')[0] === '/system/functions').map((s) => s.method)).toEqual(['POST', 'GET', 'POST', 'GET', 'PUT']);

    const posted = gateway.seen.find((s) => s.method === 'POST')!.body as FunctionDeployment;
    expect(posted.labels).toEqual({ [SCALE_MIN_LABEL]: '1', [SCALE_MAX_LABEL]: '1' });
    expect(posted.namespace).toBe('openfaas-fn');
    expect(posted.constraints).toEqual(['kubernetes.io/hostname=lab-agent-2']);

    gateway.startupPolls = 2;
    await gw.waitReady(['filter-temperature', 'orchestrator'], 5_000, 20);
    expect((await gw.list()).map((f) => [f.name, f.availableReplicas])).toEqual([['filter-temperature', 1], ['orchestrator', 1]]);

    await gw.scale('orchestrator', 2);
    expect(gateway.seen.at(-1)).toMatchObject({ path: '/system/scale-function/orchestrator', body: { serviceName: 'orchestrator', replicas: 2, namespace: 'openfaas-fn' } });
    expect((await gw.get('orchestrator')).replicas).toBe(2);

    await gw.remove('orchestrator');
    await gw.remove('orchestrator'); // already gone: not an error
    expect([...gateway.functions.keys()]).toEqual(['filter-temperature']);
    expect(gateway.seen.every((s) => s.authorization?.startsWith('Basic '))).toBe(true);
    expect(gateway.seen.some((s) => s.path.includes('namespace=openfaas-fn'))).toBe(true);
  });

  it('refuses a spec that could autoscale', async () => {
    await expect(client().deploy({ service: 'x', image: 'fogbench/x:1' })).rejects.toThrow(/must set com\.openfaas\.scale\.min = com\.openfaas\.scale\.max/);
    await expect(client().deploy({ service: 'x', image: 'fogbench/x:1', labels: { [SCALE_MIN_LABEL]: '1', [SCALE_MAX_LABEL]: '5' } })).rejects.toThrow(/scale/);
    expect(gateway.seen).toHaveLength(0);
  });

  it('says what to do on wrong credentials, without printing the password', async () => {
    const error = await client('wrong-password').list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FogbenchError);
    expect((error as Error).message).toMatch(/rejected the credentials; read them again from the basic-auth secret/);
    expect((error as Error).message).not.toContain('wrong-password');
    expect(JSON.stringify(client())).not.toContain(PASSWORD);
  });

  it('reports a deploy failure with the gateway status', async () => {
    await client().deploy(spec('display'));
    await expect(client().deploy(spec('display'))).rejects.toThrow(/deploying function display failed: the OpenFaaS gateway answered 400/);
  });

  it('says the gateway is unreachable', async () => {
    await gateway.stop();
    const error = await client().info().catch((e: unknown) => e);
    expect((error as FogbenchError).code).toBe('environment');
    expect((error as Error).message).toMatch(/cannot reach the OpenFaaS gateway at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    gateway = new FakeGateway();
    await gateway.start(); // afterEach stops it again
  });
});
