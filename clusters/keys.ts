/** The per-cluster SSH key pair: made with ssh-keygen, private half 0600, reused by later commands. */
import { access, chmod, readFile } from 'node:fs/promises';
import { environmentError } from '../harness/errors.ts';
import { firstLine, type CommandRunner } from './run-command.ts';

export async function ensureClusterKey(privateKeyPath: string, publicKeyPath: string, comment: string, run: CommandRunner): Promise<string> {
  const exists = await access(privateKeyPath).then(() => true, () => false);
  if (!exists) {
    const result = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', privateKeyPath]);
    if (result.exitCode !== 0) throw environmentError(`ssh-keygen failed: ${firstLine(result)}`);
  }
  // ssh and node-ssh refuse keys others can read.
  await chmod(privateKeyPath, 0o600);
  return (await readFile(publicKeyPath, 'utf8')).trim();
}
