/**
 * Import circles among the TypeScript files under some folders. The imports are read with the
 * TypeScript compiler's own pre-processor (`import`, `import type`, `export … from`, `import()`:
 * a lazy import closes a circle too once it runs), so a specifier in a comment or a string does
 * not count; only relative specifiers to files of the tree are followed (packages cannot import
 * back).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir` (no declaration files, nothing in node_modules). */
export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The paths `file` names in its relative imports, resolved from its folder, as written. */
export function relativeImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => resolve(dirname(file), specifier));
}

/** The files `file` imports, among `known`. */
function importsOf(file: string, known: ReadonlySet<string>): string[] {
  return relativeImports(file)
    .map((path) => (known.has(path) ? path : path.replace(/\.js$/, '.ts')))
    .filter((path) => known.has(path));
}

/**
 * Every import circle among the .ts files under `dirs` (paths relative to `root`), each as the
 * files along it with the first repeated at the end, e.g. `a.ts → b.ts → a.ts`: one per
 * strongly connected group of files (Tarjan), so a tangle of many files is one entry.
 */
export function importCycles(root: string, dirs: readonly string[]): string[] {
  const files = dirs.flatMap((d) => tsFiles(resolve(root, d)));
  const known = new Set(files);
  const edges = new Map(files.map((f) => [f, importsOf(f, known)]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of edges.get(file)!) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const group = stack.splice(stack.indexOf(file));
    const selfImport = edges.get(file)!.includes(file);
    if (group.length > 1 || selfImport) cycles.push(describeCycle(group, edges, root));
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return cycles.sort();
}

/** One path around a group: from its first file, following imports inside the group back to it. */
function describeCycle(group: string[], edges: ReadonlyMap<string, string[]>, root: string): string {
  const members = new Set(group);
  const start = [...group].sort()[0]!;
  const path = [start];
  const seen = new Set([start]);
  // A breadth-first walk back to the start gives a shortest circle through it.
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const file = queue.shift()!;
    const next = edges.get(file)!.filter((n) => members.has(n));
    if (next.includes(start)) {
      const back: string[] = [];
      for (let f: string | undefined = file; f !== undefined && f !== start; f = previous.get(f)) back.unshift(f);
      path.push(...back, start);
      break;
    }
    for (const n of next) {
      if (seen.has(n)) continue;
      seen.add(n);
      previous.set(n, file);
      queue.push(n);
    }
  }
  const more = group.length > path.length - 1 ? ` (and ${group.length - (path.length - 1)} more file(s) in the same tangle)` : '';
  return `${path.map((f) => relative(root, f)).join(' → ')}${more}`;
}
