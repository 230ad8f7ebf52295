/** `chain:` scenarios: the spec, the body, the generated module through the real compiler, and a real p2p chain of it. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenarioSource } from '../../harness/dataflow/compile.ts';
import { chainPayload, formatChainSpec, parseChainSpec, parseSize } from '../../harness/dataflow/synthetic-chain.ts';
import { spendCpu } from '../../harness/dataflow/synthetic-chain-functions.ts';
import { deployChain, spansOf, type DeployedChain } from '../helpers/deploy-chain.ts';

describe('chain specs', () => {
  it('parses every parameter, fills in the defaults and writes one canonical text', () => {
    expect(parseChainSpec('chain:length=8,payload=64KB,work=2.5ms')).toEqual({ length: 8, payloadBytes: 65536, workMs: 2.5 });
    expect(parseChainSpec('chain:payload=1MB')).toEqual({ length: 4, payloadBytes: 1048576, workMs: 0 });
    expect(formatChainSpec(parseChainSpec('chain:work=0,length=2'))).toBe('chain:length=2,payload=1KB,work=0');
    expect(parseSize('1500')).toBe(1500);
  });

  it('says what is wrong with a bad spec', () => {
    expect(() => parseChainSpec('chain:length=0')).toThrow(/length 0 is out of range: use 1 to 64/);
    expect(() => parseChainSpec('chain:payload=5MB')).toThrow(/out of range: use 128B to 4MB/);
    expect(() => parseChainSpec('chain:payload=lots')).toThrow(/"lots" is not a size/);
    expect(() => parseChainSpec('chain:depth=3')).toThrow(/unknown chain parameter "depth"/);
    expect(() => parseChainSpec('chain:length')).toThrow(/not key=value/);
  });
});

describe('chain payloads', () => {
  it('are exactly the size asked, and survive JSON.parse → JSON.stringify byte for byte', () => {
    for (const bytes of [128, 129, 200, 1000, 1024, 65536, 1048576, 4 * 1048576]) {
      const body = chainPayload(bytes);
      expect(body.length, String(bytes)).toBe(bytes);
      expect(JSON.stringify(JSON.parse(body.toString('utf8'))), String(bytes)).toBe(body.toString('utf8'));
    }
    expect(JSON.parse(chainPayload(1024).toString('utf8'))[0]).toMatchObject({ sensor: 'CHAIN_SENSOR_0000', variable: 'Temperature', value: 15 });
  });

  it('spends the CPU time asked, as process CPU', () => {
    const before = process.cpuUsage();
    spendCpu(20);
    const used = process.cpuUsage(before);
    expect((used.user + used.system) / 1000).toBeGreaterThanOrEqual(20);
    expect((used.user + used.system) / 1000).toBeLessThan(40);
  });
});

describe('a chain: scenario through the compiler and a real p2p chain', () => {
  let dir: string;
  let chain: DeployedChain;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-chain-'));
    chain = await deployChain('chain:length=3,payload=64KB,work=1');
  }, 60_000);
  afterAll(async () => {
    await chain?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is written as a module that imports the chain functions, and described with its spec and body', async () => {
    const source = await loadScenarioSource('chain:length=3,payload=64KB,work=1', { generatedDir: dir });
    expect(source.file.startsWith(dir)).toBe(true);
    expect(await readFile(source.file, 'utf8')).toContain('synthetic-chain-functions.ts');
    expect(source.description).toMatchObject({ file: 'chain:length=3,payload=64KB,work=1', route: ['step1', 'step2', 'step3'], synthetic: { length: 3, payloadBytes: 65536, workMs: 1, body: { bytes: 65536 } } });
  });

  it('passes the body through every step and back, byte for byte', async () => {
    const body = chainPayload(65536);
    const res = await fetch(chain.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'chain-1' }, body: new Uint8Array(body) });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
    const spans = await spansOf(chain, 'chain-1', 3);
    expect(spans.map((s) => s.service).sort()).toEqual(['step1', 'step2', 'step3']);
    // Each step spent its 1 ms of CPU inside its function.
    for (const s of spans) expect(s.fnEnd - s.fnStart).toBeGreaterThanOrEqual(1);
  });
});
