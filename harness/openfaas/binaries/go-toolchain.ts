/**
 * The Go toolchain as the OpenFaaS builds use it: where `go` is, the environment that reaches
 * the OpenFaaS module mirror when there is one (the same settings as scripts/go-env.sh), and
 * running it with one actionable line on failure.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { environmentError } from '../../errors.ts';
import { findTool } from '../../targets/local/host-tools.ts';

const FALLBACK_GO = '/usr/local/go/bin/go';

/** `go` on searchPath, else the official tarball's place (often left off PATH). */
export function findGo(searchPath: string): string {
  const go = findTool('go', searchPath) ?? (existsSync(FALLBACK_GO) ? FALLBACK_GO : null);
  if (go === null) {
    throw environmentError(
      'the local OpenFaaS target needs the Go toolchain (go on PATH or in /usr/local/go) to build the gateway, of-watchdog and the provider: install Go 1.23 or later',
    );
  }
  return go;
}

/**
 * Env for go commands. With a mirror: the mirror first, then whatever proxy go would use,
 * and no checksum-database lookups for github.com/openfaas (the public database has no
 * entry for the mirror's pseudo-versions). Without one: nothing changes, as on a machine
 * with normal internet access.
 */
export async function goEnvironment(go: string, mirrorDir: string | null): Promise<Record<string, string>> {
  const env: Record<string, string> = { CGO_ENABLED: '0' };
  if (mirrorDir === null) return env;
  const mirror = pathToFileURL(resolve(mirrorDir)).href;
  const [proxy, noSumDb] = (await runGo(go, ['env', 'GOPROXY', 'GONOSUMDB'], { env, what: 'reading go env' })).split('\n');
  env['GOPROXY'] = proxy?.startsWith(`${mirror},`) ? proxy : `${mirror},${proxy ?? 'https://proxy.golang.org,direct'}`;
  const patterns = (noSumDb ?? '').split(',').filter((p) => p !== '');
  env['GONOSUMDB'] = patterns.includes('github.com/openfaas') ? patterns.join(',') : [...patterns, 'github.com/openfaas'].join(',');
  return env;
}

export interface RunGoOptions {
  env: Record<string, string>;
  cwd?: string;
  /** What the command does, for the error line ("building the gateway"). */
  what: string;
  /** Appended to the error line: what the person can do about it. */
  hint?: string;
}

/** Runs go and returns its stdout; a failure throws the last lines of go's stderr. */
export async function runGo(go: string, args: string[], options: RunGoOptions): Promise<string> {
  const result = await execa(go, args, { env: options.env, cwd: options.cwd, reject: false });
  if (result.exitCode !== 0) {
    const why = (result.stderr || result.stdout || `exit code ${result.exitCode}`).trim().split('\n').slice(-2).join(' / ');
    throw environmentError(`${options.what} failed (go ${args.join(' ')}): ${why}${options.hint ? ` (${options.hint})` : ''}`);
  }
  return result.stdout;
}
