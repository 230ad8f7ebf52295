/**
 * The files a program needs at run time on this host: itself and the shared libraries the
 * dynamic linker loads for it (as `ldd` lists them), so that an image holding exactly these
 * runs the program as this host does. A static binary needs only itself.
 */
import { realpathSync } from 'node:fs';
import { execa } from 'execa';
import { environmentError } from '../../../errors.ts';

/** Absolute paths of the libraries in `ldd` output (the vDSO has no file and is left out). */
export function parseLdd(output: string): string[] {
  const files: string[] = [];
  for (const line of output.split('\n')) {
    const arrow = /=>\s+(\/\S+)\s+\(/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? direct?.[1];
    if (path && !files.includes(path)) files.push(path);
  }
  return files;
}

export function isStatic(output: string): boolean {
  return /not a dynamic executable|statically linked/.test(output);
}

export interface RuntimeFile {
  /** Where it is on this host (links resolved). */
  source: string;
  /** Where the image holds it: the path the dynamic linker looks for. */
  target: string;
}

/** The binary (at `target`) and the libraries it loads, each at the path ldd named. */
export async function runtimeFiles(binary: string, target: string): Promise<RuntimeFile[]> {
  const result = await execa('ldd', [binary], { reject: false });
  const output = `${result.stdout}\n${result.stderr}`;
  const files: RuntimeFile[] = [{ source: realpathSync(binary), target }];
  if (isStatic(output)) return files;
  if (result.exitCode !== 0) throw environmentError(`ldd ${binary} failed: ${output.trim().split('\n')[0]}`);
  for (const library of parseLdd(output)) files.push({ source: realpathSync(library), target: library });
  return files;
}
