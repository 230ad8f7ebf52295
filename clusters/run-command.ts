/**
 * Runs a provisioning tool (multipass, vagrant, ssh-keygen) and turns "not installed" into an
 * environment error that says what to install. Output is captured, never streamed to the
 * terminal: the CLI decides what to print.
 */
import { execa } from 'execa';
import { environmentError } from '../harness/errors.ts';

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Written to the command's stdin (otherwise stdin is closed). */
  input?: string;
}

export type CommandRunner = (command: string, args: string[], options?: RunOptions) => Promise<CommandResult>;

export function commandRunner(installHints: Record<string, string>): CommandRunner {
  return async (command, args, options = {}) => {
    const result = await execa(command, args, {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs,
      reject: false,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    });
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT' || (result.failed && result.exitCode === undefined && /ENOENT/.test(String(result.message)))) {
      throw environmentError(`${command} is not installed or not on PATH: ${installHints[command] ?? `install ${command}`}`);
    }
    if (result.timedOut) throw environmentError(`${command} ${args[0] ?? ''} did not finish within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`);
    return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 1 };
  };
}

export const INSTALL_HINTS: Record<string, string> = {
  multipass: 'install multipass (https://multipass.run, `snap install multipass` on Ubuntu) or use --provider vagrant',
  vagrant: 'install Vagrant and VirtualBox or vagrant-libvirt (`apt-get install vagrant`) or use --provider multipass',
  'ssh-keygen': 'install the OpenSSH client (`apt-get install openssh-client`)',
  helm: 'install Helm 3 (https://helm.sh/docs/intro/install/)',
  docker: 'install a Docker engine, or let fogbench build images on the K3s server',
};

/** First non-empty line of stderr (or stdout): enough for a one-line error. */
export function firstLine(result: CommandResult): string {
  return (result.stderr + '\n' + result.stdout).split('\n').map((l) => l.trim()).find((l) => l !== '') ?? `exit code ${result.exitCode}`;
}
