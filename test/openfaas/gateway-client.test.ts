/**
 * The gateway client against a FAKE OpenFaaS gateway: a real HTTP server in this test that
 * implements the faas-provider system API the client calls (with basic auth), and keeps the
 * functions it is given. It checks requests and answers, not OpenFaaS itself.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import {
  desiredReplicas,
  functionReady,
  GatewayClient,
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
    expect((await gw.info()).provider?.provider).toBe('faas-netes-ce');
    await gw.deploy(spec('filter-temperature'));
    await gw.apply(spec('orchestrator')); // new: POST
    await gw.apply(spec('orchestrator')); // existing: PUT
    expect(gateway.seen.filter((s) => s.path.split('?')[0] === '/system/functions').map((s) => s.method)).toEqual(['POST', 'GET', 'POST', 'GET', 'PUT']);

    const posted = gateway.seen.find((s) => s.method === 'POST')!.body as FunctionDeployment;
    expect(posted.labels).toEqual({ [SCALE_MIN_LABEL]: '1', [SCALE_MAX_LABEL]: '1' });
    expect(posted.namespace).toBe('openfaas-fn');

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

  it('a missing availableReplicas is 0 (omitempty): waitReady does not return before replicas are up', async () => {
    const gw = client();
    await gw.deploy(spec('get'));
    // CE's JSON at that moment: no replicas, no availableReplicas (both omitempty at 0)... then 1.
    gateway.startupPolls = 3;
    const calls = gateway.listCalls;
    const raw = (await (await fetch(`${url}/system/functions`, { headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` } })).json()) as Record<string, unknown>[];
    expect(raw[0]).not.toHaveProperty('availableReplicas');
    expect(functionReady(raw[0] as never)).toBe(false);
    await gw.waitReady(['get'], 5_000, 10);
    expect(gateway.listCalls - calls).toBeGreaterThanOrEqual(3);
    expect((await gw.get('get')).availableReplicas).toBe(1);
    // The wanted count is the fixed scale, even when the provider reports no replicas at all.
    expect(desiredReplicas({ labels: { [SCALE_MIN_LABEL]: '3' } })).toBe(3);
    expect(functionReady({ name: 'x', image: 'i', labels: { [SCALE_MIN_LABEL]: '3' }, availableReplicas: 2 })).toBe(false);
    expect(functionReady({ name: 'x', image: 'i' })).toBe(false);
  });

  it('times out naming the functions that are not ready', async () => {
    await client().deploy(spec('display'));
    gateway.startupPolls = 1_000;
    await expect(client().waitReady(['display'], 100, 20)).rejects.toThrow(/^OpenFaaS functions not ready after 0 s: display; see `kubectl -n openfaas-fn get pods`$/);
  });

  it('passes OpenFaaS CE\'s own 400 through in one line (over 5 replicas)', async () => {
    const six = withFixedScale({ service: 'get', image: 'fogbench/get:1' }, 6);
    await expect(client().deploy(six)).rejects.toThrow(/^deploying function get failed: the OpenFaaS gateway answered 400 \(com\.openfaas\.scale\.max is set too high for Community Edition\)$/);
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
