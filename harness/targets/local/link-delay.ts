/**
 * The delay stage for kernels without netem: one fogbench-link-delay process per delayed node
 * link (Go source in ./link-delay), holding the link's two ends as TAP devices and passing
 * every frame across after the link's latency. Built with the Go toolchain on first use and
 * cached under build/fog by source hash, so an edit to the source is never run stale.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { execa } from 'execa';
import { environmentError } from '../../errors.ts';
import { findTool } from './host-tools.ts';
import { PodProcess } from './pod-process.ts';

const SOURCE_DIR = fileURLToPath(new URL('./link-delay/', import.meta.url));
const BUILD_DIR = fileURLToPath(new URL('../../../build/fog/', import.meta.url));

/** Path of the relay binary for the current source, building it when missing. */
export async function ensureLinkDelayBinary(searchPath: string, buildDir = BUILD_DIR): Promise<string> {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'main.go']) hash.update(readFileSync(join(SOURCE_DIR, file)));
  const binary = join(buildDir, `fogbench-link-delay-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  const go = findTool('go', searchPath) ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (go === null) {
    throw environmentError('link latency on a kernel without netem needs the Go toolchain to build fogbench-link-delay (or set link latencyMs to 0)');
  }
  mkdirSync(buildDir, { recursive: true });
  const temporary = `${binary}.${process.pid}.tmp`;
  const result = await execa(go, ['build', '-trimpath', '-o', temporary, '.'], { cwd: SOURCE_DIR, reject: false, env: { CGO_ENABLED: '0' } });
  if (result.exitCode !== 0) throw environmentError(`building fogbench-link-delay failed: ${result.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  renameSync(temporary, binary);
  return binary;
}

export interface LinkDelaySpec {
  binary: string;
  ipPath: string;
  nodeSide: string;
  switchSide: string;
  latencyMs: number;
  jitterMs: number;
  cgroupProcsFiles: string[];
}

/** Starts a relay and resolves once its two TAP devices exist. */
export async function startLinkDelay(spec: LinkDelaySpec): Promise<PodProcess> {
  const relay = new PodProcess({
    name: `link-delay ${spec.nodeSide}`,
    ipPath: spec.ipPath,
    netns: undefined,
    cgroupProcsFiles: spec.cgroupProcsFiles,
    command: spec.binary,
    args: ['-node-side', spec.nodeSide, '-switch-side', spec.switchSide, '-delay-ms', String(spec.latencyMs), '-jitter-ms', String(spec.jitterMs)],
    env: {},
    cwd: '/',
  });
  const ready = new Promise<boolean>((resolve) => relay.onLine((line) => line === 'ready' && resolve(true)));
  const started = await Promise.race([ready, relay.exited.then(() => false)]);
  if (!started) throw environmentError(`fogbench-link-delay did not start: ${relay.stderrTail().trim() || 'no message'}`);
  return relay;
}
