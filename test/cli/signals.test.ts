/**
 * Stopping fogbench as people and machines do (issue 13), on the fog target, through npm as a
 * user types it: one Ctrl-C (SIGINT to the terminal's foreground process group) at any moment
 * of `npm run serve` and `npm run bench`, ten times each; SIGTERM and SIGKILL to the CLI and to
 * npm in front of it. Each time, nothing of that run may be left: no namespace, interface or
 * cgroup, no process, no owner record; after a SIGKILL the units die within seconds and the
 * next start removes the objects, saying what it removed.
 *
 * Kept short on purpose (tiny fog, p2p only, one worker, seconds-long profiles): every start is
 * a real fog. The owner records go to a folder of the test's own (FOGBENCH_OWNER_DIR), so no
 * cleanup here can touch another run on the host.
 *
 * Issue 24 added the pods' /tmp folders (`<tmpdir>/fbf<tag>`) to what must be gone, and a
 * Ctrl-C while faults are in force (a squeezed quota, a cut link, a killed service).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOf, descendantsOf, isAlive } from '../helpers/processes.ts';
import { cleanupLeftovers } from '../../harness/targets/local/cleanup.ts';
import { leftovers, skipReasonPrinted } from '../targets/local/fog-host.ts';

const skip = skipReasonPrinted();
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TOPOLOGY = 'test/fixtures/local/topology-signals.yaml';

let ownerDir: string;
let runsDir: string;

beforeAll(async () => {
  ownerDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-signals-owners-'));
  runsDir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-signals-runs-'));
  // Built once here, so no start below spends its time bundling.
  execFileSync(process.execPath, ['scripts/fogbench.mjs', '--build'], { cwd: REPO, stdio: 'ignore' });
}, 120_000);

const terminals: Terminal[] = [];

afterAll(async () => {
  // A failed test may leave a run going: stop it, then remove whatever its record still lists
  // (the test's own folder only), before the folder goes.
  for (const t of terminals) {
    if (t.npm.exitCode === null && t.npm.signalCode === null) {
      try {
        process.kill(-t.npm.pid!, 'SIGINT');
      } catch {
        // gone
      }
      await Promise.race([t.exited, sleep(30_000)]);
    }
    const cli = t.cli();
    if (cli !== undefined && isAlive(cli)) process.kill(cli, 'SIGINT');
  }
  await sleep(terminals.some((t) => t.cli() !== undefined && isAlive(t.cli()!)) ? 10_000 : 0);
  if (ownerDir) {
    await cleanupLeftovers({ ownerDir });
    await rm(ownerDir, { recursive: true, force: true });
  }
  if (runsDir) await rm(runsDir, { recursive: true, force: true });
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Every fbf… object on the host now (another fogbench run may own some: see newObjects). */
function fogObjects(): Set<string> {
  const names = new Set<string>();
  for (const line of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) if (line.startsWith('fbf')) names.add(`netns ${line.split(' ')[0]}`);
  for (const link of JSON.parse(execFileSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' })) as { ifname: string }[]) if (link.ifname.startsWith('fbf')) names.add(`link ${link.ifname}`);
  for (const root of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/memory', '/sys/fs/cgroup']) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) if (entry.startsWith('fbf')) names.add(`cgroup ${entry}`);
  }
  return names;
}

/** Objects that appeared since `before` and belong to no run recorded in the host's own folder. */
function newObjects(before: Set<string>): string[] {
  const others = existsSync('/run/fogbench') ? readdirSync('/run/fogbench').map((f) => f.replace(/\.json$/, '')) : [];
  return [...fogObjects()].filter((name) => !before.has(name) && !others.some((root) => name.split(' ')[1]!.startsWith(root)));
}

interface Terminal {
  npm: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every process of the run seen so far, with its start time (a pid can be reused). */
  seen: Map<number, string>;
  /** Fog roots whose owner record appeared in the test's folder. */
  roots: Set<string>;
  /** The CLI process itself (node scripts/fogbench.mjs). */
  cli: () => number | undefined;
  before: Set<string>;
  started: number;
}

/** `npm run <script> -- args` as a terminal runs it: its own process group, like a shell job. */
function startInTerminal(script: 'serve' | 'bench', args: string[]): Terminal {
  const before = fogObjects();
  const npm = spawn('npm', ['run', '-s', script, '--', ...args], {
    cwd: REPO,
    detached: true,
    env: { ...process.env, FOGBENCH_OWNER_DIR: ownerDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  npm.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  npm.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const seen = new Map<number, string>();
  const roots = new Set<string>();
  const look = () => {
    for (const pid of [npm.pid!, ...descendantsOf(npm.pid!)]) {
      const start = startTicks(pid);
      if (start !== null && !seen.has(pid)) seen.set(pid, start);
    }
    for (const file of readdirSync(ownerDir)) if (file.endsWith('.json')) roots.add(file.slice(0, -5));
  };
  const timer = setInterval(look, 60);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => {
      clearInterval(timer);
      resolve({ code, signal });
    }),
  );
  let cliPid: number | undefined;
  const cli = () => (cliPid ??= [...seen.keys()].find((pid) => /^(\S*\/)?node scripts\/fogbench\.mjs /.test(commandOf(pid))));
  const terminal: Terminal = { npm, out: () => out, err: () => err, exited, seen, roots, cli, before, started: Date.now() };
  terminals.push(terminal);
  return terminal;
}

/** Waits until fogbench itself runs (npm takes its time to start it), then `ms` more. */
async function atMoment(t: Terminal, ms: number): Promise<void> {
  await waitFor(() => t.cli() !== undefined, 30_000, 'the fogbench process', t);
  await sleep(ms);
}

async function waitFor(predicate: () => boolean, ms: number, what: string, t: Terminal): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr:\n${t.err()}`);
    await sleep(50);
  }
}

/** The folder of a fog's pods' /tmp folders (fog-target.ts podTmpRoot). */
const podFolders = (root: string) => path.join(os.tmpdir(), root);

/** What is left of the run; empty lists when nothing. */
function whatIsLeft(t: Terminal): { processes: string[]; objects: string[]; records: string[] } {
  const processes = [...t.seen].filter(([pid, start]) => isAlive(pid) && startTicks(pid) === start).map(([pid]) => `${pid} ${commandOf(pid)}`);
  const folders = [...t.roots].map(podFolders).filter(existsSync).map((dir) => `folder ${dir}`);
  const objects = [...new Set([...[...t.roots].flatMap((root) => Object.values(leftovers(root)).flat()), ...newObjects(t.before), ...folders])];
  const records = readdirSync(ownerDir);
  return { processes, objects, records };
}

const NOTHING = { processes: [], objects: [], records: [] };

async function expectNothingLeft(t: Terminal, label: string): Promise<void> {
  const { signal } = await Promise.race([t.exited, sleep(60_000).then(() => ({ signal: 'timeout' as const }))]);
  expect(signal, `${label}: npm did not end; stderr:\n${t.err()}`).not.toBe('timeout');
  // An exiting process may take a moment to leave the process table.
  const deadline = Date.now() + 1_000;
  while (Date.now() < deadline && whatIsLeft(t).processes.length > 0) await sleep(50);
  expect(whatIsLeft(t), `${label}; stderr:\n${t.err()}`).toEqual(NOTHING);
  expect(t.err(), label).not.toMatch(/exiting without finishing cleanup|unexpected error/);
}

const serveArgs = () => ['--systems', 'p2p', '--topology', TOPOLOGY];
const benchArgs = (i: number, seconds = 2) => [
  '--systems', 'p2p', '--workers', '1', '--duration', `${seconds}s`, '--warmup', '0s', '--cooldown', '0s', '--no-report',
  '--topology', TOPOLOGY, '--runs-dir', runsDir, '--run-id', `signals-${i}-${Date.now()}`,
];

/**
 * When to press Ctrl-C: once ready, or this many ms after fogbench started (mid-start-up,
 * -compile, -prepare, -deploy). A Ctrl-C before npm has started fogbench is npm's business.
 */
const MOMENTS: ('ready' | number)[] = ['ready', 'ready', 'ready', 'ready', 100, 500, 900, 1_300, 1_800, 2_500];

describe.skipIf(skip)('one Ctrl-C stops fogbench and removes everything (npm, fog target)', () => {
  it('npm run serve: SIGINT to the process group, 10 times at different moments, nothing left any time', async () => {
    for (const [i, moment] of MOMENTS.entries()) {
      const t = startInTerminal('serve', serveArgs());
      if (moment === 'ready') await waitFor(() => /^http:\/\//m.test(t.out()), 30_000, 'the entry URL', t);
      else await atMoment(t, moment);
      process.kill(-t.npm.pid!, 'SIGINT');
      await expectNothingLeft(t, `serve #${i + 1} (Ctrl-C ${moment === 'ready' ? 'once up' : `at ${moment} ms`})`);
      if (moment === 'ready') expect(t.err()).toMatch(/SIGINT received, stopping and cleaning up/);
    }
  }, 300_000);

  it('npm run bench: SIGINT to the process group, 10 times at different moments, nothing left any time', async () => {
    for (const [i, moment] of MOMENTS.entries()) {
      const t = startInTerminal('bench', benchArgs(i, moment === 'ready' ? 30 : 2));
      if (moment === 'ready') await waitFor(() => /p2p w1: running/.test(t.err()), 30_000, 'the profile', t);
      else await atMoment(t, moment);
      // A profile running, or any moment before it: one Ctrl-C.
      if (moment === 'ready') await sleep(800);
      process.kill(-t.npm.pid!, 'SIGINT');
      await expectNothingLeft(t, `bench #${i + 1} (Ctrl-C ${moment === 'ready' ? 'mid-profile' : `at ${moment} ms`})`);
      if (moment === 'ready') expect(t.err()).toMatch(/ \(1 profile, keep-alive off, /);
    }
  }, 400_000);
});

describe.skipIf(skip)('Ctrl-C while faults are in force (issue 24)', () => {
  it('a squeezed node, a cut link and a killed service at once: one Ctrl-C leaves nothing, and keeps the profile measured so far', async () => {
    const runId = `signals-faults-${Date.now()}`;
    const faults = ['cpu:worker-1=0.05@1s+60s', 'partition:worker-2@1s+60s', 'kill:filter-temperature@1s'];
    const t = startInTerminal('bench', [...benchArgs(0, 30).slice(0, -2), '--run-id', runId, ...faults.flatMap((f) => ['--fault', f])]);
    await waitFor(() => (t.err().match(/: fault at \d/g) ?? []).length === 3, 45_000, 'the three faults to be applied', t);
    // In force now: the quota squeezed, the link cut, the service dead and waiting out its restart back-off.
    await sleep(500);
    process.kill(-t.npm.pid!, 'SIGINT');
    await expectNothingLeft(t, 'Ctrl-C during faults');
    const profile = JSON.parse(readFileSync(path.join(runsDir, runId, 'profiles', 'p2p-w1.json'), 'utf8')) as {
      interrupted: boolean;
      requests: number;
      faults: { fault: { text: string }; status: string }[];
    };
    console.log(`Ctrl-C during faults: ${profile.requests} requests kept; faults ${profile.faults.map((f) => `${f.fault.text} ${f.status}`).join(', ')}\nstdout:\n${t.out()}`);
    expect(profile.interrupted).toBe(true);
    expect(profile.requests).toBeGreaterThan(0);
    expect(profile.faults.map((f) => [f.fault.text, f.status]).sort()).toEqual(faults.map((f) => [f, 'applied']).sort());
    // And the summary of what was measured, marked interrupted.
    expect(t.out()).toMatch(/^p2p\*\S* +1 /m);
  }, 120_000);
});

describe.skipIf(skip)('SIGTERM and SIGKILL of fogbench or of npm in front of it', () => {
  async function serving(): Promise<Terminal> {
    const t = startInTerminal('serve', serveArgs());
    await waitFor(() => /^http:\/\//m.test(t.out()), 30_000, 'the entry URL', t);
    await sleep(200);
    return t;
  }

  it('SIGTERM to the CLI alone: it cleans up and ends', async () => {
    const t = await serving();
    process.kill(t.cli()!, 'SIGTERM');
    await expectNothingLeft(t, 'SIGTERM to the CLI');
  }, 60_000);

  it('SIGTERM to npm alone: the CLI sees it was left behind, cleans up and ends', async () => {
    const t = await serving();
    process.kill(t.npm.pid!, 'SIGTERM');
    await t.exited;
    await waitFor(() => whatIsLeft(t).processes.length === 0, 15_000, 'the CLI and its units to end', t);
    await expectNothingLeft(t, 'SIGTERM to npm');
  }, 60_000);

  it('SIGKILL to npm alone: the CLI sees it was left behind, cleans up and ends', async () => {
    const t = await serving();
    process.kill(t.npm.pid!, 'SIGKILL');
    await t.exited;
    await waitFor(() => whatIsLeft(t).processes.length === 0, 15_000, 'the CLI and its units to end', t);
    await expectNothingLeft(t, 'SIGKILL to npm');
    expect(t.err()).toMatch(/the process that started it \(.+\) ended, stopping and cleaning up/);
  }, 60_000);

  it('SIGKILL to the CLI mid-run: every unit is gone within seconds, and the next start removes the rest, saying what', async () => {
    const t = startInTerminal('bench', benchArgs(99, 30));
    await waitFor(() => /p2p w1: running/.test(t.err()), 30_000, 'the profile', t);
    await sleep(800);
    const cli = t.cli()!;
    const units = [...t.seen.keys()].filter((pid) => pid !== t.npm.pid && isAlive(pid));
    expect(units.length).toBeGreaterThanOrEqual(6); // npm's shell, the CLI, 4 services, the load agent (and watchers)
    const [root] = [...t.roots];
    expect(root).toMatch(/^fbf[a-z0-9]{4}$/);
    process.kill(cli, 'SIGKILL');
    await t.exited;
    const killedAt = Date.now();
    await waitFor(() => whatIsLeft(t).processes.length === 0, 10_000, 'every unit to end after the SIGKILL', t);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    // No handler ran: the fog's objects, its pods' /tmp folders and its owner record are still there.
    expect(leftovers(root!).namespaces.length).toBeGreaterThan(0);
    expect(readdirSync(podFolders(root!)).length).toBeGreaterThan(0);
    expect(readdirSync(ownerDir)).toEqual([`${root}.json`]);

    const next = await serving();
    expect(next.err()).toMatch(new RegExp(`removed what run signals-99-\\d+ \\(pid ${cli}, gone\\) left: \\d+ namespaces \\(${root}-`));
    expect(next.err()).toContain(`folder ${podFolders(root!)}`);
    expect(leftovers(root!)).toEqual({ namespaces: [], interfaces: [], cgroups: [] });
    expect(existsSync(podFolders(root!))).toBe(false);
    process.kill(-next.npm.pid!, 'SIGINT');
    await expectNothingLeft(next, 'the next start, after its Ctrl-C');
  }, 120_000);
});
