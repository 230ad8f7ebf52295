#!/usr/bin/env node
// The fogbench command line as npm runs it (`npm run bench`, `serve`, `report`, ...): plain
// JavaScript, no TypeScript loader. It runs harness/cli/main.ts bundled by esbuild into build/cli/
// (rebuilt here when any source file it was built from changed), in this very process.
//
// Why not `tsx harness/cli/main.ts`: tsx runs the program in a child process and relays signals
// to it, so one Ctrl-C in a terminal (which signals the whole process group) arrived twice and
// the second was taken as "force quit", leaving namespaces and cgroups behind. One process, no
// relay. It also starts faster: no compiling on every start.
//
// `node scripts/fogbench.mjs --build` only builds (scripts/setup.sh does).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = 'harness/cli/main.ts';
const OUT = join(ROOT, 'build', 'cli');
const CURRENT = join(OUT, 'current.json');
/** Older builds are removed after this long (a long run may still load a lazy chunk of its build). */
const KEEP_OLD_BUILDS_MS = 24 * 3600_000;

function readCurrent() {
  try {
    return JSON.parse(readFileSync(CURRENT, 'utf8'));
  } catch {
    return null;
  }
}

function esbuildVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Up to date when built by this esbuild from exactly the files (by size and mtime) it lists. */
function upToDate(current) {
  if (current === null || current.esbuild !== esbuildVersion() || current.entry !== ENTRY) return false;
  if (!existsSync(join(OUT, current.dir, 'main.js'))) return false;
  for (const [file, [mtimeMs, size]] of Object.entries(current.inputs)) {
    try {
      const info = statSync(join(ROOT, file));
      if (info.mtimeMs !== mtimeMs || info.size !== size) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Each TypeScript file keeps its own import.meta.url (the harness finds its scripts, the viewer
 * and the topology next to its sources), replaced per file by esbuild's own parser, never in
 * strings: the load agent's bundle banner mentions import.meta.url and must keep it.
 */
function ownMetaUrl(esbuild) {
  return {
    name: 'fogbench-own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const source = readFileSync(args.path, 'utf8');
        const result = await esbuild.transform(source, {
          loader: 'ts',
          format: 'esm',
          target: 'node20',
          sourcefile: args.path,
          define: { 'import.meta.url': JSON.stringify(pathToFileURL(args.path).href) },
        });
        return { contents: result.code, loader: 'js' };
      });
    },
  };
}

async function build() {
  const esbuild = await import('esbuild');
  const dir = `${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(OUT, dir);
  mkdirSync(OUT, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: ENTRY },
    bundle: true,
    // Lazy imports (the Kubernetes client) stay lazy: their code loads only when used.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [ownMetaUrl(esbuild)],
  });
  const inputs = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const absolute = resolve(ROOT, file);
    const info = statSync(absolute);
    inputs[relative(ROOT, absolute)] = [info.mtimeMs, info.size];
  }
  const current = { dir, entry: ENTRY, esbuild: esbuildVersion(), builtAt: new Date().toISOString(), inputs };
  const temporary = `${CURRENT}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(current, null, 1)}\n`);
  renameSync(temporary, CURRENT);
  for (const entry of readdirSync(OUT, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === dir) continue;
    const old = join(OUT, entry.name);
    if (Date.now() - statSync(old).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(old, { recursive: true, force: true });
  }
  return current;
}

let current = readCurrent();
if (!upToDate(current)) {
  try {
    current = await build();
  } catch (error) {
    const first = error?.errors?.[0];
    const where = first?.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : '';
    const why = first ? `${where}${first.text}` : error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`fogbench: building the command line from harness/ failed: ${why}\n`);
    process.exit(1);
  }
}
if (process.argv[2] === '--build') {
  process.stdout.write(`fogbench: ${relative(process.cwd(), join(OUT, current.dir, 'main.js'))} is up to date\n`);
} else {
  await import(pathToFileURL(join(OUT, current.dir, 'main.js')).href);
}
