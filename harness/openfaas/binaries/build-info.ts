/**
 * What a built binary says about itself: `go version -m` reads the module path, version and
 * Go release the linker embedded, so a run's manifest records what really ran, not what we
 * meant to build.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { environmentError } from '../../errors.ts';
import { runGo } from './go-toolchain.ts';

export interface BinaryInfo {
  name: string;
  path: string;
  /** Main module path from the build info. */
  module: string;
  /** Module version from the build info; for our own provider, `source:<hash>` of its source. */
  version: string;
  /** Go release it was built with, e.g. go1.23.4. */
  goVersion: string;
  /** The full `go version -m <binary>` text. */
  buildInfo: string;
  sha256: string;
}

/** Reads a binary's build info; `go version -m` needs no network and no module cache. */
export async function describeBinary(go: string, name: string, path: string, env: Record<string, string>): Promise<BinaryInfo> {
  const buildInfo = await runGo(go, ['version', '-m', path], { env, what: `reading the build info of ${name}` });
  const parsed = parseBuildInfo(buildInfo);
  if (parsed === null) throw environmentError(`${path} has no Go module build info; delete it and build again`);
  const sha256 = createHash('sha256').update(await readFile(path)).digest('hex');
  return { name, path, ...parsed, buildInfo, sha256 };
}

/** The Go version and main module of `go version -m` output, or null when it has none. */
export function parseBuildInfo(text: string): { module: string; version: string; goVersion: string } | null {
  const lines = text.split('\n');
  const goVersion = /:\s+(go\S+)\s*$/.exec(lines[0] ?? '')?.[1];
  const mod = lines.map((line) => line.trim().split('\t')).find((fields) => fields[0] === 'mod');
  if (goVersion === undefined || mod?.[1] === undefined || mod[2] === undefined) return null;
  return { module: mod[1], version: mod[2], goVersion };
}
