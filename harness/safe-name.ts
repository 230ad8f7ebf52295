/**
 * Names a user gives that become one folder or file name (run ids, cluster names): they must
 * name a child of their parent folder and nothing else. `..` as a run id once made the bench
 * delete the whole checkout (build/.. is the checkout), so the rule is strict and checked
 * wherever such a name is joined to a path, not only where it is parsed.
 */
import path from 'node:path';
import { usageError } from './errors.ts';

/** Letters, digits, dots, dashes and underscores; not starting with a dot; at most 128. */
const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** Why `value` cannot be one path component, or null when it can. */
export function pathNameProblem(value: string): string | null {
  if (value === '') return 'it is empty';
  if (value === '.' || value === '..') return `"${value}" names a folder itself, not a child of it`;
  if (/[/\\]/.test(value)) return 'it holds a path separator';
  if (value.includes('\0')) return 'it holds a NUL byte';
  if (value.startsWith('.')) return 'it starts with a dot (a hidden name)';
  if (value.length > 128) return 'it is longer than 128 characters';
  if (!SAFE.test(value)) return 'it holds characters other than letters, digits, dots, dashes and underscores';
  return null;
}

/** Returns `value` when it is a safe single path component; else a usage error naming `what`. */
export function checkPathName(what: string, value: string): string {
  const problem = pathNameProblem(value);
  if (problem !== null) {
    const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    throw usageError(`${what} ${shown} cannot be used as a folder name: ${problem}; use letters, digits, dots, dashes and underscores`);
  }
  return value;
}

/** `parent/name` after checking `name`, and checking again that the result is inside `parent`. */
export function childPath(parent: string, name: string, what: string): string {
  checkPathName(what, name);
  const base = path.resolve(parent);
  const child = path.resolve(base, name);
  if (path.dirname(child) !== base) throw usageError(`${what} "${name}" would leave ${parent}`);
  return path.join(parent, name);
}
