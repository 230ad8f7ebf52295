/**
 * `--driver hey`: hey itself, run by the agent, its per-request CSV read into the same recorder.
 * Checked against what the server saw: every response hey got is counted once (in the window or
 * cut off at its end), statuses land in their classes, and the requests that timed out, which
 * hey's CSV leaves out, are counted as timeouts (at least, never more than there were) censored
 * at the timeout; hey's own CPU is in the client samples.
 */
import http from 'node:http';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentSpec } from '../../harness/load/agent-protocol.ts';
import { fixedBody } from '../../harness/load/body-source.ts';
import type { LoadSpec } from '../../harness/load/driver.ts';
import { chooseDriver } from '../../harness/load/drivers.ts';
import { HEY_CSV_HEADER } from '../../harness/load/hey-csv.ts';
import { checkHeyAvailable, heyArgs, heyDriver } from '../../harness/load/hey-driver.ts';
import { decodeHistogram, latencyStats } from '../../harness/metrics/histogram.ts';
import { ProfileRecorder, type RawMeasurement } from '../../harness/metrics/recorder.ts';
import { agentRunner, type AgentRunner } from './agent-runs.ts';

const haveHey = await promisify(execFile)('hey', ['-h']).then(
  () => true,
  (e: { stderr?: string }) => /Usage: hey/.test(e.stderr ?? ''),
);

describe('the hey driver', () => {
  it('builds the command line the paper ran, with the harness\'s headers and timeout', () => {
    const spec = { url: 'http://x/', workers: 10, durationMs: 30_000, keepAlive: false, timeoutMs: 20_000, headers: { 'content-type': 'application/json', authorization: 'Basic x' } };
    expect(heyArgs(spec, '/tmp/b')).toEqual(['-z', '30000ms', '-c', '10', '-m', 'POST', '-t', '20', '-D', '/tmp/b', '-o', 'csv', '-T', 'application/json', '-H', 'authorization: Basic x', '-disable-keepalive']);
    expect(() => chooseDriver('hey', { keepAlive: false, rate: 10 })).toThrow(/--rate needs the open-loop driver/);
    expect(chooseDriver('hey', { keepAlive: true })).toBe('hey');
  });

  // Audit 14, minor: -z 0ms is "no duration" to hey, which then sends its default 200 requests.
  it('never gives hey -z 0', () => {
    const spec = { url: 'http://x/', workers: 1, durationMs: 0.4, keepAlive: true, timeoutMs: 1_000, headers: {} };
    expect(() => heyArgs(spec, '/tmp/b')).toThrow(/-z would be 0, which hey reads as no duration .* at least 1 ms/);
    expect(heyArgs({ ...spec, durationMs: 0.6 }, '/tmp/b').slice(0, 2)).toEqual(['-z', '1ms']);
  });

  /**
   * Fake heys, each an executable named `hey` in its own folder put first on the PATH while the
   * driver runs it, as the attacker of audit 14 did.
   */
  describe('when hey misbehaves', () => {
    let root: string;
    let n = 0;
    const saved = { PATH: process.env.PATH, FOGBENCH_HEY: process.env.FOGBENCH_HEY };
    beforeAll(async () => {
      root = await mkdtemp(path.join(os.tmpdir(), 'fogbench-fake-hey-'));
      delete process.env.FOGBENCH_HEY;
    });
    afterAll(async () => {
      process.env.PATH = saved.PATH;
      if (saved.FOGBENCH_HEY !== undefined) process.env.FOGBENCH_HEY = saved.FOGBENCH_HEY;
      await rm(root, { recursive: true, force: true });
    });

    /** A folder holding `hey`, this shell script. */
    async function fakeHey(script: string): Promise<string> {
      const dir = path.join(root, `hey-${n++}`);
      await mkdir(dir);
      await writeFile(path.join(dir, 'hey'), `#!/bin/sh\n${script}\n`);
      await chmod(path.join(dir, 'hey'), 0o755);
      return dir;
    }

    /** The driver's run of `spec` with the fake hey in `dir` first on the PATH, finished as the agent finishes a window. */
    async function runWith(dir: string, spec: LoadSpec): Promise<RawMeasurement> {
      process.env.PATH = `${dir}${path.delimiter}${saved.PATH}`;
      try {
        const start = performance.now();
        const recorder = new ProfileRecorder(start, spec.durationMs);
        const { cutOff } = await heyDriver.run(spec, fixedBody('{}'), recorder, new AbortController().signal);
        return recorder.finish(Math.min(performance.now(), start + spec.durationMs), cutOff);
      } finally {
        process.env.PATH = saved.PATH;
      }
    }

    const load = (durationMs: number, workers: number, timeoutMs: number): LoadSpec => ({ url: 'http://127.0.0.1:9/', workers, durationMs, keepAlive: false, timeoutMs, headers: {} });
    const failure = (p: Promise<unknown>) => p.then(() => 'no error', (e: Error) => e.message);

    it('fails, in one line naming its exit code and stderr, when hey exits non-zero', async () => {
      const dir = await fakeHey('echo "hey: starting" >&2\necho "hey: something broke" >&2\nexit 3');
      const message = await failure(runWith(dir, load(3_000, 2, 1_000)));
      console.log(`exit 3: ${message}`);
      expect(message).toMatch(/^hey exited with code 3 after \d+\.\d\d s; stderr: hey: starting \| hey: something broke$/);
      // Even with rows: a hey that failed is not a measurement.
      const rows = await fakeHey(`sleep 1\necho '${HEY_CSV_HEADER}'\necho '0.0100,0.0001,0.0000,0.0000,0.0100,0.0000,200,0.0100'\necho "panic: runtime error" >&2\nexit 2`);
      expect(await failure(runWith(rows, load(1_000, 1, 1_000)))).toMatch(/^hey exited with code 2 after 1\.\d\d s; stderr: panic: runtime error$/);
    });

    it('fails when hey prints only its CSV header and ends long before its window', async () => {
      const dir = await fakeHey(`echo '${HEY_CSV_HEADER}'\nexit 0`);
      const message = await failure(runWith(dir, load(3_000, 2, 1_000)));
      console.log(`header only: ${message}`);
      expect(message).toMatch(/^hey ended 0\.\d\d s after its start, short of its 3 s window \(-z\), with 0 response\(s\) and exit code 0; stderr: nothing on stderr$/);
    });

    it('fails when hey exits 0 with no CSV header', async () => {
      const dir = await fakeHey('echo "Summary:"\necho "  Total: 0.0 secs"\nexit 0');
      const message = await failure(runWith(dir, load(500, 2, 1_000)));
      console.log(`no header: ${message}`);
      expect(message).toMatch(/^hey exited with code 0 after \d+\.\d\d s but printed no CSV header \(is it hey, with -o csv\?\); stdout: Summary: \| Total: 0\.0 secs; stderr: nothing on stderr$/);
    });

    it('kills a hey that never exits, after -z + -t + a margin, and fails saying so', async () => {
      const dir = await fakeHey('exec sleep 60');
      const t = performance.now();
      const message = await failure(runWith(dir, load(500, 2, 1_000)));
      const s = (performance.now() - t) / 1000;
      console.log(`never exits: after ${s.toFixed(2)} s: ${message}`);
      expect(message).toMatch(/^hey had not exited 4\.5 s after its start \(-z 500 ms, -t 1 s and 3\.0 s more\): killed it \(SIGKILL pid \d+\); stderr: nothing on stderr$/);
      expect(s).toBeGreaterThanOrEqual(4.5);
      expect(s).toBeLessThan(8);
    }, 20_000);

    it('takes an interrupted hey (SIGINT: it stops and prints its rows) as interrupted, not as short', async () => {
      const dir = await fakeHey(`trap 'kill $p; echo "${HEY_CSV_HEADER}"; echo "0.0100,0.0001,0.0000,0.0000,0.0100,0.0000,200,0.0100"; exit 0' INT\nsleep 30 & p=$!\nwait`);
      process.env.PATH = `${dir}${path.delimiter}${saved.PATH}`;
      try {
        const abort = new AbortController();
        const recorder = new ProfileRecorder(performance.now(), 3_000);
        setTimeout(() => abort.abort(), 500);
        await heyDriver.run(load(3_000, 1, 1_000), fixedBody('{}'), recorder, abort.signal);
        const raw = recorder.finish(performance.now(), 0);
        expect(raw.requests).toBe(1);
        expect(raw.notes?.join(' ')).toMatch(/hey: interrupted: requests that failed without a response were not inferred/);
      } finally {
        process.env.PATH = saved.PATH;
      }
    }, 20_000);

    // Issue 25, finding 10: rows with negative durations counted as successes, statuses such as
    // 99999999999 or -5 classified, NaN, Infinity, garbage and non-UTF-8 rows dropped silently.
    it('issue 25 #10: takes only rows a response can have, and counts the others in a note', async () => {
      const good = (status: number, at: string) => `0.0100,0.0001,0.0000,0.0000,0.0100,0.0000,${status},${at}`;
      const rows = path.join(root, 'rows-odd.csv');
      await writeFile(
        rows,
        Buffer.concat([
          Buffer.from(
            [
              HEY_CSV_HEADER,
              good(200, '0.1000'),
              good(503, '0.2000'),
              '-0.5000,0.0001,0.0000,0.0000,-0.5000,0.0000,200,0.3000',
              good(99999999999, '0.4000'),
              good(-5, '0.5000'),
              'NaN,0.0001,0.0000,0.0000,0.0100,0.0000,200,0.6000',
              '0.0100,0.0001,0.0000,0.0000,0.0100,0.0000,200,Infinity',
              'garbage',
              good(200, '9999.0000'),
            ].join('\n') + '\n',
          ),
          Buffer.from([0xff, 0xfe, 0x2c, 0x30, 0x0a]),
        ]),
      );
      const raw = await runWith(await fakeHey(`sleep 1\ncat '${rows}'`), load(1_000, 1, 1_000));
      const notes = raw.notes?.join('\n') ?? '';
      console.log(`odd rows: ${raw.requests} requests (${raw.ok} ok, ${raw.errors.http5xx} 5xx, ${raw.errors.http4xx} 4xx, ${raw.errors.other} other)\n${notes}`);
      expect(raw.ok).toBe(1);
      expect(raw.errors.http5xx).toBe(1);
      expect(raw.errors.other).toBe(0);
      expect(notes).toContain(
        "hey: 8 line(s) of its CSV were not taken as responses and are in no figure: a negative or non-finite time (3); a status outside 100-599 (2); not a row of numbers (1); not ASCII text (1); a time outside hey's run (1)",
      );
    }, 20_000);

    // Issue 25, finding 11: rows past hey's 1,000,000-row cap were all counted.
    it('issue 25 #11: keeps no more than hey\'s first 1,000,000 rows, and says how many it left out', async () => {
      const rows = path.join(root, 'rows-many.csv');
      const awk = `awk 'BEGIN { print "${HEY_CSV_HEADER}"; for (i = 0; i < 1000025; i++) printf "0.0001,0.0000,0.0000,0.0000,0.0001,0.0000,200,%.4f\\n", 0.05 + i / 1000025 }' > '${rows}'`;
      execFileSync('sh', ['-c', awk]);
      const raw = await runWith(await fakeHey(`sleep 1.2\ncat '${rows}'`), load(1_000, 1, 1_000));
      const notes = raw.notes?.join('\n') ?? '';
      console.log(`1,000,025 rows: ${raw.requests} requests, ${raw.cutOff} cut off\n${notes}`);
      expect(raw.requests + raw.cutOff).toBeLessThanOrEqual(1_000_000);
      expect(notes).toContain("past hey's 1,000,000-row cap (25)");
      expect(notes).toMatch(/it keeps only its first 1,000,000 responses/);
    }, 60_000);

    /** hey's CSV for closed-loop workers, each a chain of requests of `seconds` from `from` to `to`. */
    const csv = (chains: { from: number; to: number; seconds: number }[]) => {
      const lines = [HEY_CSV_HEADER];
      for (const c of chains) for (let at = c.from; at < c.to - 1e-9; at += c.seconds) lines.push(`${c.seconds.toFixed(4)},0.0001,0.0000,0.0000,${c.seconds.toFixed(4)},0.0000,200,${at.toFixed(4)}`);
      return lines.join('\n') + '\n';
    };

    // Audit 14, item 3, reduced: 1000 workers for 3 s with -t 20 gave "2 timeout(s) inferred ...
    // censored at 20 s" for a hey that ran 4.2 s, while the figures held no timeout.
    it('infers no timeout when hey ran for less than its timeout, and says why', async () => {
      // 50 workers, 20 of them answered until 0.9 s of the 1 s window, 30 have no row: 24
      // worker-s in no row, one 20 s timeout by the workers' time alone; hey ran 1.3 s.
      const rows = path.join(root, 'rows-short.csv');
      await writeFile(rows, csv(Array.from({ length: 20 }, (_, w) => ({ from: w * 1e-4, to: 0.85, seconds: 0.1 }))));
      const raw = await runWith(await fakeHey(`sleep 1.3\ncat '${rows}'`), load(1_000, 50, 20_000));
      const notes = raw.notes?.join('\n') ?? '';
      console.log(`ran 1.3 s, -t 20: ${raw.requests} requests, ${raw.errors.timeout} timeouts, ${raw.cutOff} cut off, ${raw.censored} censored\n${notes}`);
      expect(raw.requests).toBe(180);
      expect(raw.errors.timeout).toBe(0);
      expect(raw.cutOff).toBe(0);
      expect(raw.censored).toBe(0);
      expect(notes).not.toMatch(/timeout\(s\) inferred/);
      expect(notes).toMatch(/hey: 1 more failure\(s\) without a response the workers' time implies were not inferred: .* but hey ran 1\.\d\d s from its start to its exit, .* none of its requests can have lasted its 20 s timeout/);
    }, 20_000);

    it('says exactly what it recorded of the timeouts it inferred: censored at -t, or cut off at the window\'s end', async () => {
      // 2 workers, 2 s window, -t 1: worker A answered until 1.95 s; worker B until 0.2 s, then
      // nothing: two timeouts, one ending at 1.2 s, in the window, one at 2.1 s, after it.
      const rows = path.join(root, 'rows-two.csv');
      await writeFile(rows, csv([{ from: 0, to: 1.95, seconds: 0.01 }, { from: 0.0001, to: 0.2, seconds: 0.01 }]));
      const raw = await runWith(await fakeHey(`sleep 2.3\ncat '${rows}'`), load(2_000, 2, 1_000));
      const notes = raw.notes?.join('\n') ?? '';
      console.log(`two timeouts: ${raw.requests} requests, ${raw.errors.timeout} timeouts, ${raw.cutOff} cut off, ${raw.censored} censored\n${notes}`);
      expect(raw.errors.timeout).toBe(1);
      expect(raw.cutOff).toBe(1);
      expect(notes).toMatch(/hey: 2 timeout\(s\) inferred, at least: .* recorded as 1 timeout\(s\) censored at 1 s and 1 as request\(s\) cut off at the window's end \(in flight then: counted with the cut-off requests/);
      expect(latencyStats(decodeHistogram(raw.latencyCensored!)).max).toBeGreaterThanOrEqual(999);
    }, 20_000);
  });

  it('tells, in one line, whether hey can be run', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'fogbench-no-hey-'));
    try {
      expect(checkHeyAvailable({ PATH: empty })).toBe('--driver hey: hey is not on the PATH; install it (Debian/Ubuntu: apt-get install hey) or choose another --driver');
      expect(checkHeyAvailable({ PATH: empty, FOGBENCH_HEY: path.join(empty, 'hey') })).toMatch(/hey \(\$FOGBENCH_HEY\) does not exist/);
      await writeFile(path.join(empty, 'hey'), '#!/bin/sh\necho "not a load generator" >&2\nexit 1\n');
      await chmod(path.join(empty, 'hey'), 0o755);
      expect(checkHeyAvailable({ PATH: empty })).toBe('--driver hey: hey does not look like hey (its -h lists no -z option): not a load generator');
      if (haveHey) expect(checkHeyAvailable()).toBeNull();
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  describe.skipIf(!haveHey)('against a server that counts what it serves', () => {
    let agent: AgentRunner;
    let server: http.Server;
    let url: string;
    const seen = { answered: 0, status500: 0, held: 0 };

    beforeAll(async () => {
      agent = await agentRunner();
      await writeFile(path.join(agent.dir, 'body.json'), '{"readings":[]}');
      let n = 0;
      server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          n++;
          if (n % 40 === 0) return void seen.held++; // never answered: hey times out, no CSV row
          const status = n % 7 === 0 ? 500 : 200;
          setTimeout(() => {
            res.writeHead(status).end('{}');
            seen.answered++;
            if (status === 500) seen.status500++;
          }, 5);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    }, 60_000);
    afterAll(async () => {
      server?.closeAllConnections();
      server?.close();
      if (agent) await rm(agent.dir, { recursive: true, force: true });
    });

    // Audit of b2bbc21, items 1 and 2: requests that timed out were counted as `other` with no
    // latency (or not at all, at any realistic rate): no timeout, nothing censored.
    it('counts every response hey got exactly once, by class, in the timeline; its timeouts as timeouts censored at -t; its CPU', async () => {
      const spec: AgentSpec = {
        driver: 'hey',
        warmupMs: 0,
        load: { url, workers: 4, durationMs: 3_000, keepAlive: false, timeoutMs: 1_000, headers: { 'content-type': 'application/json' } },
        bodies: { kind: 'fixed', file: path.join(agent.dir, 'body.json') },
      };
      const { raw } = await agent.run(spec, ['taskset', '-c', '0']);
      const responses = raw.ok + raw.errors.http5xx;
      const withTimeouts = latencyStats(decodeHistogram(raw.latencyCensored!)); // the profile's latencyWithTimeouts
      const hey = (raw.client ?? []).filter((c) => c.children);
      console.log(
        `server: ${JSON.stringify(seen)}; hey driver: ${raw.requests} requests (${raw.ok} ok, ${raw.errors.http5xx} 5xx, ${raw.errors.timeout} timeouts, ${raw.errors.other} other), ` +
          `${raw.cutOff} cut off, ${raw.censored} censored; with timeouts p50 ${withTimeouts.p50} ms p99 ${withTimeouts.p99} ms max ${withTimeouts.max} ms; ` +
          `hey's CPU ${JSON.stringify(hey.map((c) => c.children))}\n${raw.notes?.join('\n')}`,
      );
      expect(raw.errors.http5xx).toBeGreaterThan(0);
      expect(raw.timeline.reduce((s, b) => s + b.completed, 0)).toBe(raw.requests);
      expect(decodeHistogram(raw.latencyAll).totalCount).toBe(responses);
      // Timeouts: at least one, never more than the server held; those placed past the window
      // are cut off (at their age then), so the cut-offs hold rows and inferred timeouts.
      expect(raw.errors.other).toBe(0);
      expect(raw.errors.timeout).toBeGreaterThan(0);
      expect(raw.errors.timeout).toBeLessThanOrEqual(seen.held);
      expect(responses + raw.cutOff).toBeGreaterThanOrEqual(seen.answered);
      expect(responses + raw.cutOff).toBeLessThanOrEqual(seen.answered + seen.held - raw.errors.timeout);
      expect(Math.abs(raw.errors.http5xx - seen.status500)).toBeLessThanOrEqual(raw.cutOff);
      // Each timeout is in the "including timeouts" figure at hey's -t (1 s), a lower bound.
      expect(raw.censored).toBeGreaterThanOrEqual(raw.errors.timeout);
      expect(withTimeouts.count).toBe(responses + raw.censored!);
      expect(withTimeouts.max).toBeGreaterThanOrEqual(999);
      expect(raw.notes?.join(' ')).toMatch(/timeout\(s\) inferred, at least/);
      expect(raw.notes?.join(' ')).toMatch(/NOT SEEN: requests that failed at once without a response \(connection refused, reset\)/);
      expect(raw.notes?.join(' ')).toMatch(/steps of 0\.1 ms/);
      // hey's own CPU, judged against the one core taskset left it.
      expect(hey.length).toBeGreaterThan(0);
      expect(hey.some((c) => c.children!.cpu > 0)).toBe(true);
      expect(hey.every((c) => c.children!.cores === 1)).toBe(true);
    }, 60_000);
  });
});
