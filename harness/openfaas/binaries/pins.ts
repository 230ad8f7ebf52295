/**
 * The pinned OpenFaaS modules (pins.json, the one place their versions are written). The
 * gateway and of-watchdog are installed from these pins; faas-provider is what our provider's
 * go.mod requires, kept equal by a Go test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { environmentError } from '../../errors.ts';

export const PINS_FILE = fileURLToPath(new URL('./pins.json', import.meta.url));

export interface ModulePin {
  module: string;
  version: string;
  /** Where upstream this version comes from (release or commit), for people. */
  upstream: string;
  licence: string;
}

/** A module fogbench installs as a program: `binary` is the name `go install` gives it. */
export interface BinaryPin extends ModulePin {
  binary: string;
}

/**
 * The chart the kube target installs, and the faas-provider its faas-netes is built on: the
 * fog provider must run the same proxy code as the provider users run.
 */
export interface ChartPin {
  version: string;
  faasNetes: string;
  faasNetesFaasProvider: string;
  upstream: string;
}

/**
 * A program the chart runs beside the gateway (Prometheus, alertmanager), built from its module
 * at the release the chart's image has: `package` is what is built, `release` the version it
 * reports (`--version`).
 */
export interface CompanionPin extends BinaryPin {
  package: string;
  release: string;
}

export interface OpenFaaSPins {
  gateway: BinaryPin;
  watchdog: BinaryPin;
  faasProvider: ModulePin;
  chart: ChartPin;
  prometheus: CompanionPin;
  alertmanager: CompanionPin;
}

export function readPins(file = PINS_FILE): OpenFaaSPins {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return {
    gateway: binaryPin(raw, 'gateway', file),
    watchdog: binaryPin(raw, 'watchdog', file),
    faasProvider: modulePin(raw, 'faasProvider', file),
    chart: chartPin(raw, file),
    prometheus: companionPin(raw, 'prometheus', file),
    alertmanager: companionPin(raw, 'alertmanager', file),
  };
}

function stringFields<K extends string>(raw: Record<string, unknown>, key: string, names: readonly K[], file: string): Record<K, string> {
  const entry = (raw[key] ?? {}) as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const name of names) {
    const value = entry[name];
    if (typeof value !== 'string' || value === '') throw environmentError(`${file}: ${key}.${name} must be a non-empty string`);
    out[name] = value;
  }
  return out;
}

function chartPin(raw: Record<string, unknown>, file: string): ChartPin {
  return stringFields(raw, 'chart', ['version', 'faasNetes', 'faasNetesFaasProvider', 'upstream'] as const, file);
}

function modulePin(raw: Record<string, unknown>, key: string, file: string): ModulePin {
  return stringFields(raw, key, ['module', 'version', 'upstream', 'licence'] as const, file);
}

function companionPin(raw: Record<string, unknown>, key: string, file: string): CompanionPin {
  return { ...binaryPin(raw, key, file), ...stringFields(raw, key, ['package', 'release'] as const, file) };
}

function binaryPin(raw: Record<string, unknown>, key: string, file: string): BinaryPin {
  const binary = ((raw[key] ?? {}) as Record<string, unknown>)['binary'];
  if (typeof binary !== 'string' || binary === '') throw environmentError(`${file}: ${key}.binary must be a non-empty string`);
  return { ...modulePin(raw, key, file), binary };
}
