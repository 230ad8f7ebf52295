/**
 * Shared by the fog target's integration tests: whether this host can run them at all, and
 * what kernel objects and processes a given target (by its fbf<tag> prefix) left behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { UnitSpec } from '../../../harness/targets/target.ts';
import { fileURLToPath } from 'node:url';
import { requireHostTools } from '../../../harness/targets/local/host-tools.ts';
import { detectCgroups } from '../../../harness/targets/local/cgroups.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/local/', import.meta.url));
export const TEST_TOPOLOGY = `${FIXTURES}topology-test.yaml`;

/** Null when the host can create namespaces and cgroups, else why the tests are skipped. */
export function fogUnavailableReason(): string | null {
  try {
    requireHostTools(process.env.PATH ?? '');
    detectCgroups();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

export function skipReasonPrinted(): boolean {
  const reason = fogUnavailableReason();
  if (reason !== null) console.warn(`skipping fog integration tests: ${reason}`);
  return reason !== null;
}

export interface Leftovers {
  namespaces: string[];
  interfaces: string[];
  cgroups: string[];
}

export function leftovers(root: string): Leftovers {
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(root));
  const interfaces = (JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[])
    .map((l) => l.ifname)
    .filter((n) => n.startsWith(root));
  const cgroups = ['cpu', 'cpuacct', 'memory', 'unified']
    .map((c) => `/sys/fs/cgroup/${c}`)
    .filter(existsSync)
    .flatMap((dir) => readdirSync(dir).filter((n) => n.startsWith(root)).map((n) => `${dir}/${n}`));
  return { namespaces, interfaces, cgroups };
}

/** Running, i.e. present and not a zombie. */
export { isAlive as processAlive } from '../../helpers/processes.ts';

/** The fixture HTTP server as a unit (test/fixtures/local/http-server.mjs). */
export function fixtureServer(
  name: string,
  placement: UnitSpec['placement'],
  env: UnitSpec['env'] = () => ({}),
  extra: Partial<UnitSpec> = {},
): UnitSpec {
  return {
    name,
    placement,
    artifactDir: FIXTURES,
    command: 'node',
    args: ['http-server.mjs'],
    port: 8080,
    healthPath: '/healthz',
    env: (endpoints) => ({ PORT: '8080', ...env(endpoints) }),
    ...extra,
  };
}
