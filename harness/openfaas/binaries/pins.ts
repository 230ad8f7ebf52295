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

export interface OpenFaaSPins {
  gateway: BinaryPin;
  watchdog: BinaryPin;
  faasProvider: ModulePin;
}

export function readPins(file = PINS_FILE): OpenFaaSPins {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return {
    gateway: binaryPin(raw, 'gateway', file),
    watchdog: binaryPin(raw, 'watchdog', file),
    faasProvider: modulePin(raw, 'faasProvider', file),
  };
}

function modulePin(raw: Record<string, unknown>, key: string, file: string): ModulePin {
  const entry = (raw[key] ?? {}) as Record<string, unknown>;
  const field = (name: string): string => {
    const value = entry[name];
    if (typeof value !== 'string' || value === '') throw environmentError(`${file}: ${key}.${name} must be a non-empty string`);
    return value;
  };
  return { module: field('module'), version: field('version'), upstream: field('upstream'), licence: field('licence') };
}

function binaryPin(raw: Record<string, unknown>, key: string, file: string): BinaryPin {
  const binary = ((raw[key] ?? {}) as Record<string, unknown>)['binary'];
  if (typeof binary !== 'string' || binary === '') throw environmentError(`${file}: ${key}.binary must be a non-empty string`);
  return { ...modulePin(raw, key, file), binary };
}
