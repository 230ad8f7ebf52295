/**
 * What the chart runs beside the gateway on the core node, run on fog as the chart configures
 * it: Prometheus (scrapes the gateway's metrics every 5 s and evaluates the scaling alert, and
 * the gateway asks it for invocation counts on `GET /system/functions`) and alertmanager (sends
 * the firing alert to the gateway's `/system/alert`). Both are real builds at the chart's
 * releases (../binaries/pins.json). Their CPU and memory are the openfaas system's: they are
 * pods of its plan, so the cost counts them as it counts the gateway.
 *
 * Source: chart 14.2.124 (faas-netes@8278f594 chart/openfaas) templates/prometheus-cfg.yaml,
 * prometheus-dep.yaml, alertmanager-cfg.yaml, alertmanager-dep.yaml, values.yaml. The chart's
 * Kubernetes pod discovery (pods of the openfaas namespace annotated prometheus.io/scrape, only
 * the gateway's) becomes a static target with the labels its relabelling gives; the config is
 * written when the pods' addresses are known (the unit's env, called just before it starts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Endpoint, HttpProbe, Probes, UnitSpec } from '../../targets/target.ts';
import type { OpenFaaSBinaries } from '../binaries/build.ts';
import { GATEWAY } from '../settings.ts';

export const PROMETHEUS_UNIT = 'prometheus';
export const ALERTMANAGER_UNIT = 'alertmanager';
export const PROMETHEUS_PORT = 9090;
export const ALERTMANAGER_PORT = 9093;
/** values.yaml alertmanager.resources.limits.memory; Prometheus has requests only. */
const ALERTMANAGER_MEMORY_LIMIT_BYTES = 50 * 1024 * 1024;

/** httpProbe: true (values.yaml L12): httpGet probes with a 30 s timeout, Kubernetes' other defaults. */
const chartProbe = (probePath: string, port: number): HttpProbe => ({
  path: probePath,
  port,
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 30,
  successThreshold: 1,
  failureThreshold: 3,
});
const probes = (probePath: string, port: number): Probes => ({ readiness: chartProbe(probePath, port), liveness: chartProbe(probePath, port) });

/** templates/prometheus-cfg.yaml, prometheus.yml, with the gateway pod as its one discovered target. */
export function prometheusConfig(gateway: Endpoint, alertmanager: Endpoint): Record<string, unknown> {
  return {
    global: { scrape_interval: '15s', evaluation_interval: '15s', external_labels: { monitor: 'faas-monitor' } },
    rule_files: ['alert.rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`${alertmanager.host}:${ALERTMANAGER_PORT}`] }] }] },
    scrape_configs: [
      { job_name: 'prometheus', scrape_interval: '10s', static_configs: [{ targets: [`localhost:${PROMETHEUS_PORT}`] }] },
      {
        job_name: 'openfaas-pods',
        scrape_interval: '5s',
        honor_labels: false,
        // The gateway pod's annotations: prometheus.io/port 8082; its labels, as labelmap copies them.
        static_configs: [{ targets: [`${gateway.host}:${GATEWAY.metricsPort}`], labels: { app: 'gateway', kubernetes_namespace: 'openfaas', kubernetes_pod_name: 'gateway' } }],
      },
    ],
  };
}

/** templates/prometheus-cfg.yaml, alert.rules.yml: the CE scaling alert. */
export const ALERT_RULES = {
  groups: [
    {
      name: 'openfaas',
      rules: [
        {
          alert: 'APIHighInvocationRate',
          expr: 'sum(rate(gateway_function_invocation_total{code="200"}[10s])) BY (function_name) > 5',
          for: '5s',
          labels: { service: 'gateway', severity: 'major' },
          annotations: {
            description: 'High invocation total on "{{$labels.function_name}}"',
            summary: 'High invocation total on "{{$labels.function_name}}"',
          },
        },
      ],
    },
  ],
};

/** templates/alertmanager-cfg.yaml, alertmanager.yml (the route's match holds receiver and severity, as the chart writes it). */
export function alertmanagerConfig(gateway: Endpoint, passwordFile: string): Record<string, unknown> {
  return {
    route: {
      group_by: ['alertname', 'cluster', 'service'],
      group_wait: '5s',
      group_interval: '10s',
      repeat_interval: '30s',
      receiver: 'scale-up',
      routes: [{ match: { service: 'gateway', receiver: 'scale-up', severity: 'major' } }],
    },
    inhibit_rules: [{ source_match: { severity: 'critical' }, target_match: { severity: 'warning' }, equal: ['alertname', 'cluster', 'service'] }],
    receivers: [
      {
        name: 'scale-up',
        webhook_configs: [
          {
            url: `http://${gateway.host}:${gateway.port}/system/alert`,
            send_resolved: true,
            http_config: { basic_auth: { username: 'admin', password_file: passwordFile } },
          },
        ],
      },
    ],
  };
}

export interface CompanionInput {
  binaries: Pick<OpenFaaSBinaries, 'prometheus' | 'alertmanager'>;
  /** Folder for their configs and data (the chart's ConfigMaps and emptyDirs). */
  workDir: string;
  /** The basic-auth secret folder, as the chart mounts it into alertmanager. */
  secretDir: string;
  /** The unit the gateway runs in. */
  gatewayUnit: string;
}

const writeYaml = (file: string, value: unknown) => writeFileSync(file, stringify(value), { mode: 0o600 });

export function companionUnits(input: CompanionInput): UnitSpec[] {
  const promDir = path.join(input.workDir, PROMETHEUS_UNIT);
  const amDir = path.join(input.workDir, ALERTMANAGER_UNIT);
  for (const dir of [promDir, amDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const prometheus: UnitSpec = {
    name: PROMETHEUS_UNIT,
    placement: { role: 'core' },
    artifactDir: promDir,
    command: input.binaries.prometheus.path,
    // templates/prometheus-dep.yaml: config, retention 15d (values.yaml prometheus.retention.time); data in an emptyDir.
    args: [`--config.file=${path.join(promDir, 'prometheus.yml')}`, '--storage.tsdb.retention.time=15d', `--storage.tsdb.path=${path.join(promDir, 'data')}`],
    port: PROMETHEUS_PORT,
    healthPath: '/-/healthy',
    probes: probes('/-/healthy', PROMETHEUS_PORT),
    env: (endpoints) => {
      writeYaml(path.join(promDir, 'prometheus.yml'), prometheusConfig(endpoints.get(input.gatewayUnit)!, endpoints.get(ALERTMANAGER_UNIT)!));
      writeYaml(path.join(promDir, 'alert.rules.yml'), ALERT_RULES);
      return {};
    },
  };
  const alertmanager: UnitSpec = {
    name: ALERTMANAGER_UNIT,
    placement: { role: 'core' },
    artifactDir: amDir,
    command: input.binaries.alertmanager.path,
    // templates/alertmanager-dep.yaml: its config, storage, and no HA cluster listener.
    args: [`--config.file=${path.join(amDir, 'alertmanager.yml')}`, `--storage.path=${path.join(amDir, 'data')}`, '--cluster.listen-address='],
    port: ALERTMANAGER_PORT,
    healthPath: '/-/ready',
    probes: probes('/-/ready', ALERTMANAGER_PORT),
    memoryLimitBytes: ALERTMANAGER_MEMORY_LIMIT_BYTES,
    env: (endpoints) => {
      writeYaml(path.join(amDir, 'alertmanager.yml'), alertmanagerConfig(endpoints.get(input.gatewayUnit)!, path.join(input.secretDir, 'basic-auth-password')));
      return {};
    },
  };
  return [prometheus, alertmanager];
}

/** The gateway's env pointing it at the Prometheus pod (the chart's faas_prometheus_host/port: the prometheus Service). */
export function gatewayPrometheusEnv(endpoints: ReadonlyMap<string, Endpoint>): Record<string, string> {
  const prometheus = endpoints.get(PROMETHEUS_UNIT)!;
  return { faas_prometheus_host: prometheus.host, faas_prometheus_port: String(prometheus.port) };
}
