/**
 * SSH to cluster nodes with the per-cluster key (node-ssh). Used to wait for cloud-init,
 * install K3s, fetch the kubeconfig and import images into each node's containerd.
 */
import { NodeSSH } from 'node-ssh';
import { environmentError } from '../harness/errors.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export interface NodeShell {
  readonly host: string;
  exec(command: string, options?: { stdin?: string }): Promise<ExecResult>;
  putFile(localFile: string, remoteFile: string): Promise<void>;
  getFile(localFile: string, remoteFile: string): Promise<void>;
  /** Copies a folder recursively; fails if any file could not be copied. */
  putDirectory(localDirectory: string, remoteDirectory: string): Promise<void>;
  dispose(): void;
}

export interface SshTarget {
  host: string;
  port?: number;
  username: string;
  privateKeyPath: string;
}

/** Connects, retrying while the VM boots (sshd not up yet, key not yet installed). */
export async function connectNode(target: SshTarget, options: { timeoutMs: number; retryDelayMs?: number }): Promise<NodeShell> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const ssh = new NodeSSH();
    try {
      await ssh.connect({
        host: target.host,
        port: target.port ?? 22,
        username: target.username,
        privateKeyPath: target.privateKeyPath,
        readyTimeout: 20_000,
      });
      return wrap(ssh, target.host);
    } catch (error) {
      lastError = error;
      ssh.dispose();
      await new Promise((r) => setTimeout(r, options.retryDelayMs ?? 5_000));
    }
  }
  throw environmentError(
    `cannot SSH to ${target.username}@${target.host} with ${target.privateKeyPath}: ${(lastError as Error)?.message ?? 'timed out'}; is the VM running?`,
    lastError,
  );
}

function wrap(ssh: NodeSSH, host: string): NodeShell {
  return {
    host,
    exec: async (command, options = {}) => {
      const r = await ssh.execCommand(command, options.stdin === undefined ? {} : { stdin: options.stdin });
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    },
    putFile: (local, remote) => ssh.putFile(local, remote),
    getFile: (local, remote) => ssh.getFile(local, remote),
    putDirectory: async (local, remote) => {
      const failed: string[] = [];
      const ok = await ssh.putDirectory(local, remote, { recursive: true, tick: (file, _remote, error) => void (error && failed.push(file)) });
      if (!ok || failed.length) throw environmentError(`copying ${local} to ${host}:${remote} failed for ${failed.join(', ') || 'some files'}`);
    },
    dispose: () => ssh.dispose(),
  };
}

/** Runs a command that must succeed; the error names the node and the command's last words. */
export async function mustExec(shell: NodeShell, command: string, what: string, options: { stdin?: string } = {}): Promise<string> {
  const r = await shell.exec(command, options);
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-1)[0] ?? '';
    throw environmentError(`${what} failed on ${shell.host} (exit ${r.code}): ${tail}`);
  }
  return r.stdout;
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
