/** What the run was made with: versions, git state, host. Read once per run for the manifest. */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import type { RunManifest } from '../results/schema.ts';

async function git(args: string[]): Promise<string | null> {
  try {
    return (await execa('git', args)).stdout.trim();
  } catch {
    return null;
  }
}

async function packageVersion(spec: string): Promise<string> {
  try {
    const url = new URL(`../../node_modules/${spec}/package.json`, import.meta.url);
    return (JSON.parse(await readFile(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function provenance(): Promise<Pick<RunManifest, 'fogbench' | 'host' | 'tools'>> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const sha = await git(['rev-parse', 'HEAD']);
  const status = sha === null ? null : await git(['status', '--porcelain', '--untracked-files=no']);
  return {
    fogbench: { version: pkg.version, gitSha: sha, gitDirty: status === null ? null : status.length > 0 },
    host: {
      hostname: os.hostname(),
      platform: `${os.platform()} ${os.arch()}`,
      kernel: os.release(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryBytes: os.totalmem(),
      node: process.version,
    },
    tools: {
      autocannon: await packageVersion('autocannon'),
      'hdr-histogram-js': await packageVersion('hdr-histogram-js'),
      esbuild: await packageVersion('esbuild'),
    },
  };
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 6)}`;
}
