/** Runs the load agent as the bench does (bundled, its own process) on a spec, for tests. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleForNode } from '../../harness/dataflow/bundle.ts';
import { parseAgentMessage, type AgentMessage, type AgentSpec } from '../../harness/load/agent-protocol.ts';

const run = promisify(execFile);

export interface AgentRunner {
  dir: string;
  /** Runs the agent on `spec` (optionally prefixed, e.g. taskset or a cgroup-joining shell), returns its result message. */
  run(spec: AgentSpec, prefix?: string[]): Promise<Extract<AgentMessage, { type: 'result' }>>;
}

export async function agentRunner(): Promise<AgentRunner> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fogbench-agent-'));
  const bundle = path.join(dir, 'agent.mjs');
  await bundleForNode({ entryFile: fileURLToPath(new URL('../../harness/load/agent-main.ts', import.meta.url)), outfile: bundle });
  let n = 0;
  return {
    dir,
    async run(spec, prefix = []) {
      const specFile = path.join(dir, `spec-${n++}.json`);
      await writeFile(specFile, JSON.stringify(spec));
      const [command, ...args] = [...prefix, process.execPath, bundle, specFile];
      const { stdout } = await run(command!, args, { maxBuffer: 256 * 1024 * 1024 });
      const result = stdout.split('\n').map(parseAgentMessage).find((m) => m?.type === 'result');
      if (result?.type !== 'result') throw new Error(`the agent gave no result: ${stdout.slice(-500)}`);
      return result;
    },
  };
}
