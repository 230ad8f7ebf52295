/** Finds a command on PATH; tests that need one skip, saying which package provides it. */
import { execFileSync } from 'node:child_process';

export function hasTool(command: string, debianPackage: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn(`skipping: ${command} is not installed (apt-get install -y ${debianPackage})`);
    return false;
  }
}
