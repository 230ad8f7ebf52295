/**
 * The source of our provider (harness/openfaas/provider) and the hash its binary is cached
 * under: go.mod, go.sum and every non-test .go file, names included, so any edit that can
 * change the binary changes the hash and an edited provider is never run stale.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROVIDER_DIR = fileURLToPath(new URL('../provider/', import.meta.url));
export const PROVIDER_MODULE = 'fogbench.dev/openfaas-provider';
export const PROVIDER_BINARY = 'fogbench-openfaas-provider';

export function providerSourceHash(dir = PROVIDER_DIR): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles(dir)) {
    hash.update(`${relative(dir, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 12);
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const name = entry.name;
    const isSource = name === 'go.mod' || name === 'go.sum' || (name.endsWith('.go') && !name.endsWith('_test.go'));
    if (entry.isFile() && isSource) files.push(join(entry.parentPath, name));
  }
  return files.sort();
}
