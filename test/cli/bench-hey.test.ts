/**
 * `bench --driver hey` when hey's output, or the load agent, goes wrong part-way through a run
 * (issue 25, finding 12): a 600 MB line without a newline crashed the agent; the user saw only
 * "Node.js v20.20.2", and with several worker counts the run stopped there with no summary or
 * report, leaving /tmp/fogbench-hey-* behind.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEY_CSV_HEADER } from '../../harness/load/hey-csv.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { cleanupLeftovers } from '../../harness/targets/local/cleanup.ts';
import { fogUnavailableReason } from '../targets/local/fog-host.ts';

/** A hey that answers `-h` as hey does and, by its -c: 1 rows, 2 a 600 MB line, 3 kills the load agent that ran it. */
function fakeHey(dir: string): string {
  const file = path.join(dir, 'hey');
  const row = (at: string) => `0.0100,0.0001,0.0000,0.0000,0.0100,0.0000,200,${at}`;
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      'if [ "$1" = "-h" ]; then printf "Usage: hey [options...] <url>\\n  -z  Duration\\n" >&2; exit 2; fi',
      'c=1; prev=; for a in "$@"; do [ "$prev" = "-c" ] && c=$a; prev=$a; done',
      'sleep 2',
      `echo '${HEY_CSV_HEADER}'`,
      'case $c in',
      `1) for at in 0.1000 0.3000 0.5000 0.7000 0.9000 1.1000 1.3000 1.5000; do echo "${row('$at')}"; done ;;`,
      `2) echo '${row('0.1000')}'; head -c 600000000 /dev/zero | tr '\\000' x ;;`,
      '3) kill -9 $PPID ;;',
      'esac',
    ].join('\n') + '\n',
  );
  chmodSync(file, 0o755);
  return file;
}

const heyTemps = () => readdirSync(os.tmpdir()).filter((n) => n.startsWith('fogbench-hey-')).sort();

describe('bench --driver hey, when hey or the load agent goes wrong', () => {
  it('issue 25 #12: keeps the profiles measured before the agent died, summarises and reports them, then says its own error; no line crashes it', async () => {
    const root = tempDir('fogbench-bench-hey-');
    const runs = path.join(root, 'runs');
    const before = heyTemps();
    const r = await runCli(
      ['bench', '--target', 'loopback', '--systems', 'p2p', '--driver', 'hey', '--workers', '1,2,3', '--duration', '2s', '--warmup', '0', '--cooldown', '0', '--timeout', '1s', '--runs-dir', runs, '--run-id', 'partial'],
      // First on the PATH, which the load agent inherits.
      { PATH: `${path.dirname(fakeHey(root))}${path.delimiter}${process.env.PATH}`, FOGBENCH_HEY: '' },
    );
    const last = r.stderr.trim().split('\n').at(-1) ?? '';
    console.log(`exit ${r.code}\nstdout:\n${r.stdout}\nlast stderr line: ${last}`);
    expect(last).toMatch(/^fogbench: load generator ended without a result \(SIGKILL\): no output \(the 2 profiles measured before it are above and in .*partial\)$/);
    expect(r.code).toBe(3);
    // The two profiles before it: in the summary, on disk, in the report.
    expect(r.stdout).toMatch(/^p2p +1 /m);
    expect(r.stdout).toMatch(/^p2p +2 /m);
    expect(readdirSync(path.join(runs, 'partial', 'profiles')).sort()).toEqual(['p2p-w1.json', 'p2p-w2.json']);
    expect(existsSync(path.join(runs, 'partial', 'index.html'))).toBe(true);
    // The 600 MB line is one line refused, not a crash.
    const w2 = JSON.parse(readFileSync(path.join(runs, 'partial', 'profiles', 'p2p-w2.json'), 'utf8')) as { notes?: string[] };
    expect(w2.notes?.join('\n')).toContain('longer than a row can be (1)');
    // hey's body file went with the run's build folder.
    expect(heyTemps()).toEqual(before);
  }, 180_000);
});

describe('bench --driver hey without a hey to run', () => {
  it.each([
    ['a run', []],
    ['a sweep (its points run hey too)', ['--sweep', 'length=1,2']],
  ])('refuses %s before anything runs, in one line, and creates no run folder', async (_what, extra) => {
    const root = tempDir('fogbench-bench-no-hey-');
    const runs = path.join(root, 'runs');
    const missing = path.join(root, 'no-such-hey');
    const r = await runCli(
      ['bench', '--target', 'loopback', '--systems', 'p2p', '--driver', 'hey', '--workers', '1', '--duration', '2s', '--runs-dir', runs, '--run-id', 'no-hey', ...extra],
      { FOGBENCH_HEY: missing },
    );
    expect(r.code).toBe(3);
    expect(r.stderr.trim()).toBe(`fogbench: --driver hey: ${missing} ($FOGBENCH_HEY) does not exist; install it (Debian/Ubuntu: apt-get install hey) or choose another --driver`);
    expect(existsSync(runs)).toBe(false);
  });
});

describe.skipIf(fogUnavailableReason() !== null)('bench --driver hey on the fog target', () => {
  it('issue 24: the client pod runs the hey of $FOGBENCH_HEY, the one the pre-run check validated', async () => {
    const root = tempDir('fogbench-bench-fog-hey-');
    const ownerDir = tempDir('fogbench-bench-fog-hey-owners-');
    // The real hey behind a wrapper that is on no PATH and notes every call: the pod it ran in, its arguments.
    const calls = path.join(root, 'calls');
    const wrapper = path.join(root, 'my-hey');
    const realHey = execFileSync('/bin/sh', ['-c', 'command -v hey'], { encoding: 'utf8' }).trim();
    writeFileSync(wrapper, `#!/bin/sh\necho "pod=\${FOGBENCH_POD:-none} $*" >> '${calls}'\nexec '${realHey}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    try {
      const r = await runCli(
        ['bench', '--target', 'fog', '--topology', 'test/fixtures/local/topology-signals.yaml', '--systems', 'p2p', '--driver', 'hey', '--workers', '1',
          '--duration', '2s', '--warmup', '0', '--cooldown', '0', '--no-report', '--runs-dir', path.join(root, 'runs'), '--run-id', 'fog-hey'],
        { FOGBENCH_HEY: wrapper, FOGBENCH_OWNER_DIR: ownerDir },
      );
      const said = existsSync(calls) ? readFileSync(calls, 'utf8') : '';
      console.log(`exit ${r.code}; calls of $FOGBENCH_HEY:\n${said}`);
      expect(r.code, r.stderr).toBe(0);
      // The pre-run check (-h, on the host), then the profile's run in the load agent's pod.
      expect(said).toMatch(/^pod=none -h$/m);
      expect(said).toMatch(/^pod=load-agent-w1 -z 2000ms -c 1 /m);
      const profile = JSON.parse(readFileSync(path.join(root, 'runs', 'fog-hey', 'profiles', 'p2p-w1.json'), 'utf8')) as { driver: string; requests: number };
      expect(profile.driver).toBe('hey');
      expect(profile.requests).toBeGreaterThan(0);
    } finally {
      await cleanupLeftovers({ ownerDir });
    }
  }, 180_000);
});
