#!/usr/bin/env -S npx tsx
/**
 * Builds (or finds cached) the local OpenFaaS target's programs: the pinned gateway and
 * of-watchdog and our provider, and prints one line per binary. The harness builds them on
 * first use anyway; this is for a setup step or to see what will run:
 *
 *   npm run build:openfaas
 */
import { pathToFileURL } from 'node:url';
import { ensureOpenFaaSBinaries } from '../harness/openfaas/binaries/build.ts';

async function main(): Promise<void> {
  const started = Date.now();
  const binaries = await ensureOpenFaaSBinaries({ searchPath: process.env['PATH'] ?? '' });
  for (const info of [binaries.gateway, binaries.watchdog, binaries.provider]) {
    process.stdout.write(`${info.name}\t${info.module}@${info.version}\t${info.path}\n`);
  }
  process.stderr.write(`build-openfaas: ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`build-openfaas: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
