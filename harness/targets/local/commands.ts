/**
 * How a unit's command line is resolved before it runs in its pod: `node` is this very Node
 * (the units are bundles built for it), a relative path is relative to the artifact folder,
 * a bare name is looked up on the target's search path.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { findTool } from './host-tools.ts';

export function resolveCommand(command: string, workDir: string, searchPath: string): string {
  if (command === 'node') return process.execPath;
  if (isAbsolute(command)) return command;
  if (command.includes('/')) return resolve(workDir, command);
  return findTool(command, searchPath) ?? command;
}

/** Relative arguments that name a file of the artifact folder become absolute. */
export function resolveArg(arg: string, workDir: string): string {
  if (arg.startsWith('-') || isAbsolute(arg)) return arg;
  const candidate = join(workDir, arg);
  return existsSync(candidate) ? candidate : arg;
}
