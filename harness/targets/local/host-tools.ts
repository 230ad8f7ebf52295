/**
 * The host programs the fog target drives (`ip`, `tc`) and the privileges it needs, checked
 * up front so that a host that cannot run the fog gets one line saying what is missing.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { environmentError } from '../../errors.ts';

const FALLBACK = '; --target loopback still works';
const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;

export interface HostTools {
  ip: string;
  tc: string;
}

/** First executable called `name` on `searchPath`, or null. */
export function findTool(name: string, searchPath: string): string | null {
  for (const dir of searchPath.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Throws an environment error naming everything the host lacks. */
export function requireHostTools(searchPath: string, status = readFileSync('/proc/self/status', 'utf8')): HostTools {
  const missing: string[] = [];
  const caps = effectiveCapabilities(status);
  if (!hasCap(caps, CAP_NET_ADMIN) || !hasCap(caps, CAP_SYS_ADMIN)) {
    missing.push('root (CAP_NET_ADMIN and CAP_SYS_ADMIN, to create network namespaces and cgroups)');
  }
  const ip = findTool('ip', searchPath);
  const tc = findTool('tc', searchPath);
  if (ip === null) missing.push('the `ip` command (Debian package iproute2)');
  if (tc === null) missing.push('the `tc` command (Debian package iproute2)');
  if (missing.length > 0) throw environmentError(`the fog target needs ${missing.join(' and ')}${FALLBACK}`);
  return { ip: ip!, tc: tc! };
}

export function effectiveCapabilities(status: string): bigint {
  const match = /^CapEff:\s*([0-9a-f]+)$/im.exec(status);
  return match ? BigInt(`0x${match[1]}`) : 0n;
}

const hasCap = (caps: bigint, bit: number) => (caps & (1n << BigInt(bit))) !== 0n;

/** Runs `ip`/`tc`; a failure is an environment error quoting the command and its stderr. */
export class HostCommands {
  constructor(readonly tools: HostTools) {}

  async ip(args: string[]): Promise<string> {
    return this.run(this.tools.ip, args);
  }

  async tc(args: string[]): Promise<string> {
    return this.run(this.tools.tc, args);
  }

  /** Runs several `ip` commands in one process (`ip -batch`), stopping at the first failure. */
  async ipBatch(lines: string[][], netns?: string): Promise<void> {
    if (lines.length === 0) return;
    const prefix = netns === undefined ? [] : ['-n', netns];
    await this.run(this.tools.ip, [...prefix, '-batch', '-'], lines.map((l) => l.join(' ')).join('\n') + '\n');
  }

  /** Same as ip(), but a failure is ignored: for removing what may already be gone. */
  async ipQuiet(args: string[]): Promise<boolean> {
    const result = await execa(this.tools.ip, args, { reject: false });
    return result.exitCode === 0;
  }

  private async run(file: string, args: string[], input?: string): Promise<string> {
    const result = await execa(file, args, { reject: false, input });
    if (result.exitCode !== 0) {
      const why = (result.stderr || result.stdout || `exit code ${result.exitCode}`).trim().split('\n').slice(-2).join(' / ');
      throw environmentError(`\`${file.split('/').pop()} ${args.join(' ')}\` failed: ${why}`);
    }
    return result.stdout;
  }
}
