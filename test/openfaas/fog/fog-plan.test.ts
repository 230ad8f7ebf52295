/** The fog layout's settings: the chart's and the Node template's values, and the timeout options. */
import { describe, expect, it } from 'vitest';
import { gatewayEnv, providerEnv, watchdogEnv } from '../../../harness/openfaas/fog/fog-plan.ts';
import { DEFAULT_TIMEOUTS, FUNCTION_PROBES, GATEWAY_PROBES } from '../../../harness/openfaas/settings.ts';

describe('the OpenFaaS settings fog runs', () => {
  it('gives the gateway the chart\'s environment: 65 s read/write, 60 s upstream, scale from zero, basic auth, no NATS', () => {
    const env = gatewayEnv({ secretDir: '/s', timeouts: DEFAULT_TIMEOUTS });
    expect(env).toEqual({
      read_timeout: '65s',
      write_timeout: '65s',
      upstream_timeout: '60s',
      functions_provider_url: 'http://127.0.0.1:8081/',
      function_namespace: 'openfaas-fn',
      basic_auth: 'true',
      secret_mount_path: '/s/',
      scale_from_zero: 'true',
      max_idle_conns: '1024',
      max_idle_conns_per_host: '1024',
    });
    expect(Object.keys(env).some((k) => k.startsWith('faas_nats'))).toBe(false);
  });

  it('gives the provider faas-netes\' port and timeouts, and the state file', () => {
    expect(providerEnv({ secretDir: '/s', timeouts: DEFAULT_TIMEOUTS, stateFile: '/f.json' })).toEqual({
      port: '8081',
      read_timeout: '65s',
      write_timeout: '65s',
      function_namespace: 'openfaas-fn',
      basic_auth: 'true',
      secret_mount_path: '/s/',
      FOGBENCH_PROVIDER_STATE: '/f.json',
    });
  });

  it('gives of-watchdog the Node template\'s environment: http mode, upstream :3000, exec 10 s, read/write 15 s', () => {
    const env = watchdogEnv(DEFAULT_TIMEOUTS, 'index.mjs');
    expect(env).toMatchObject({ mode: 'http', upstream_url: 'http://127.0.0.1:3000', exec_timeout: '10s', read_timeout: '15s', write_timeout: '15s', prefix_logs: 'false' });
    expect(env.fprocess).toBe(`${process.execPath} index.mjs`);
  });

  it('moves the timeouts together when --gateway-timeout and --function-timeout are given', () => {
    const timeouts = { gatewaySeconds: 20, functionSeconds: 3 };
    expect(gatewayEnv({ secretDir: '/s', timeouts })).toMatchObject({ upstream_timeout: '20s', read_timeout: '25s', write_timeout: '25s' });
    expect(providerEnv({ secretDir: '/s', timeouts, stateFile: '/f' })).toMatchObject({ read_timeout: '25s', write_timeout: '25s' });
    expect(watchdogEnv(timeouts, 'index.mjs')).toMatchObject({ exec_timeout: '3s', read_timeout: '8s', write_timeout: '8s' });
  });

  it('declares faas-netes\' hard-coded function probes and the chart\'s gateway probes', () => {
    expect(FUNCTION_PROBES.readiness).toEqual({ path: '/_/health', port: 8080, initialDelaySeconds: 2, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 });
    expect(FUNCTION_PROBES.liveness).toEqual(FUNCTION_PROBES.readiness);
    expect(GATEWAY_PROBES.readiness).toMatchObject({ path: '/healthz', port: 8080, periodSeconds: 5, timeoutSeconds: 5 });
  });
});
