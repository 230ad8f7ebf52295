/**
 * What some tests need built before they can run, and which test files need it: the Kubernetes
 * control plane (the kube target's tests run against a real one) and the local cluster's
 * programs. Built by their scripts, the same ones `bash scripts/setup.sh --tests` and .ci/run
 * run; vitest's global setup (test/helpers/global-setup.ts) builds what the chosen test files
 * need and is missing, one line per part, before any test file is imported. A test file never
 * builds: it only asks whether a part is built, and skips saying why when it is not.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { relativeImports } from './import-cycles.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BuildPart {
  /** What the user reads while waiting. */
  title: string;
  /** Its build script, relative to the repository: idempotent; `--check` builds nothing and exits 0 when built. */
  script: string;
  /** How long it takes cold on 2 cores, for the waiting line. */
  coldMinutes: number;
  /** Test modules (relative to the repository) that need the part: so does every test file that imports one of them. */
  neededThrough: string[];
  /** Why building it now would be wasted (its tests skip anyway), or null. */
  pointless?: () => string | null;
}

export const CONTROL_PLANE: BuildPart = {
  title: 'the Kubernetes control plane (kube-apiserver, -scheduler, -controller-manager, kwok, registry, crane)',
  script: 'scripts/build-kube-control-plane.sh',
  coldMinutes: 15,
  neededThrough: ['test/targets/kube/control-plane.ts', 'test/clusters/local-cluster/local-cluster.test.ts'],
};

export const LOCAL_CLUSTER: BuildPart = {
  title: 'the local cluster programs (kubelet, kube-proxy, CoreDNS, metrics-server, pause)',
  script: 'scripts/build-kube-local-cluster.sh',
  coldMinutes: 10,
  neededThrough: ['test/clusters/local-cluster/local-cluster.test.ts'],
  pointless: () => (process.getuid?.() === 0 ? null : 'not root, so the local cluster test skips'),
};

/** In build order: the local cluster's build reuses what the control plane's compiled. */
export const PARTS: readonly BuildPart[] = [CONTROL_PLANE, LOCAL_CLUSTER];

/** Null when the part is built, else what is missing, in the script's words. */
export function notBuilt(part: BuildPart, root = ROOT): string | null {
  const check = spawnSync('bash', [join(root, part.script), '--check'], { encoding: 'utf8' });
  if (check.status === 0) return null;
  return (check.stdout + check.stderr).trim().split('\n')[0] || `${part.script} --check failed`;
}

/**
 * The repository files a test file reaches through relative imports, itself included, read as
 * the TypeScript compiler reads them (a specifier in a comment or a string is no import). Only
 * files under test/ are followed: the harness never imports a test helper.
 */
export function reachedFiles(file: string, root = ROOT, seen = new Set<string>()): Set<string> {
  const path = resolve(root, file);
  if (seen.has(path) || !existsSync(path)) return seen;
  seen.add(path);
  const testDir = join(root, 'test');
  for (const target of relativeImports(path)) {
    if (!relative(testDir, target).startsWith('..')) reachedFiles(target, root, seen);
  }
  return seen;
}

/** The parts the given test files need, in build order. */
export function partsNeeded(testFiles: readonly string[], root = ROOT, parts: readonly BuildPart[] = PARTS): BuildPart[] {
  const reached = new Set<string>();
  for (const file of testFiles) for (const f of reachedFiles(file, root)) reached.add(f);
  return parts.filter((part) => part.neededThrough.some((m) => reached.has(resolve(root, m))));
}

/**
 * Builds a part with its script, passing each line it prints to `log`, and a line a minute
 * while the script is silent (a Go build of Kubernetes prints nothing for many minutes).
 * Resolves to the script's exit code.
 */
export function buildPart(part: BuildPart, log: (line: string) => void, options: { root?: string; heartbeatMs?: number } = {}): Promise<number> {
  const started = Date.now();
  const child = spawn('bash', [join(options.root ?? ROOT, part.script)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lastLine = Date.now();
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lastLine = Date.now();
      if (line.trim()) log(`  ${line}`);
    });
  }
  const heartbeatMs = options.heartbeatMs ?? 60_000;
  const heartbeat = setInterval(() => {
    if (Date.now() - lastLine < heartbeatMs / 2) return;
    log(`  still building ${part.title}: ${Math.round((Date.now() - started) / 60_000)} min so far`);
  }, heartbeatMs);
  return new Promise((resolveCode) => {
    child.once('error', () => {
      clearInterval(heartbeat);
      resolveCode(127);
    });
    child.once('close', (code, signal) => {
      clearInterval(heartbeat);
      resolveCode(code ?? (signal ? 128 : 1));
    });
  });
}
