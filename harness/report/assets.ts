/**
 * What every page needs besides its data: the stylesheet, the viewer script (bundled from
 * reports/viewer/viewer.ts with esbuild, once per process) and the browser builds of vega,
 * vega-lite and vega-embed from node_modules, copied next to each page so it opens from
 * file:// with no network.
 */
import { buildSync } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError } from '../errors.ts';
import { copyFileReplacing, ensureRealDir } from '../safe-fs.ts';

const viewerDir = fileURLToPath(new URL('../../reports/viewer/', import.meta.url));

/** Load order matters: vega-lite needs vega, vega-embed needs both. */
const VENDOR_PACKAGES = ['vega', 'vega-lite', 'vega-embed'] as const;
export const VENDOR_DIR = 'vendor';

export interface ReportAssets {
  css: string;
  viewerScript: string;
  /** Absolute paths of the vendored browser builds, in load order. */
  vendorFiles: string[];
}

async function packageRoot(name: string): Promise<string> {
  // The packages export only their module entry; walk up from it to the folder with package.json.
  let dir = dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').catch(() => null);
    if (manifest && (JSON.parse(manifest) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw environmentError(`cannot find the ${name} package; run npm ci`);
    dir = parent;
  }
}

async function browserBuild(name: string): Promise<string> {
  const root = await packageRoot(name);
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { unpkg?: string; jsdelivr?: string };
  const file = manifest.unpkg ?? manifest.jsdelivr;
  if (!file) throw environmentError(`the ${name} package names no browser build (unpkg field); check its version`);
  return join(root, file);
}

/**
 * Synchronous on purpose: buildSync runs esbuild as a process that exits when done, where the
 * async API leaves a service process running for the rest of the bench (and stopping it would
 * cut off the compiler's builds sharing it). It runs once per process and takes ~0.1 s.
 */
function bundleViewer(): string {
  const result = buildSync({
    entryPoints: [join(viewerDir, 'viewer.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

let cached: Promise<ReportAssets> | undefined;

export function loadAssets(): Promise<ReportAssets> {
  cached ??= (async () => ({
    css: await readFile(join(viewerDir, 'report.css'), 'utf8'),
    viewerScript: bundleViewer(),
    vendorFiles: await Promise.all(VENDOR_PACKAGES.map(browserBuild)),
  }))();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/**
 * Copies the vendored scripts into `<dir>/vendor/` and returns their page-relative URLs. A link
 * in their place is replaced, never written through (harness/safe-fs.ts).
 */
export async function copyVendor(assets: ReportAssets, dir: string): Promise<string[]> {
  await ensureRealDir(join(dir, VENDOR_DIR));
  return Promise.all(
    assets.vendorFiles.map(async (file) => {
      const name = file.split(/[\\/]/).at(-1) ?? file;
      await copyFileReplacing(file, join(dir, VENDOR_DIR, name));
      return `${VENDOR_DIR}/${name}`;
    }),
  );
}
