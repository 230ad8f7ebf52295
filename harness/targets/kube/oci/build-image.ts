/**
 * Packs an image plan into an OCI image layout with umoci, no container engine needed: each
 * layer is a folder of host files (hard links where the file system allows, copies otherwise)
 * inserted as one layer, then the configuration is set. Base images are packed once into a
 * cache folder named by their id and reused by hard-linking their blobs (blobs are
 * content-addressed and never rewritten). The layout is then pushed (registry-push.ts).
 */
import { chmod, chown, copyFile, cp, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { environmentError } from '../../../errors.ts';
import type { BaseImage, ImageConfigPlan, ImagePlan, LayerPlan } from './image-plan.ts';

/** The tag every layout made here uses: one image per layout. */
export const LAYOUT_TAG = 'image';

async function umoci(args: string[], what: string): Promise<void> {
  const result = await execa('umoci', args, { reject: false });
  if ((result as { code?: string }).code === 'ENOENT') throw environmentError('umoci is not installed (Debian: apt-get install -y umoci); it packs the images of a local cluster');
  if (result.exitCode !== 0) throw environmentError(`umoci ${args[0]} failed ${what}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' / ')}`);
}

/** Puts a host file where the layer wants it: a hard link when it can, else a copy. */
async function place(source: string, target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  if ((await stat(source)).isDirectory()) {
    await cp(source, target, { recursive: true, preserveTimestamps: true, force: true });
    return;
  }
  await rm(target, { force: true });
  await link(source, target).catch(() => copyFile(source, target));
}

async function insertLayer(layout: string, layer: LayerPlan, scratch: string): Promise<void> {
  const staging = await mkdtemp(join(scratch, 'layer-'));
  try {
    for (const dir of layer.dirs ?? []) {
      const path = join(staging, dir.target);
      await mkdir(path, { recursive: true });
      await chmod(path, dir.mode);
      if (dir.uid !== undefined) await chown(path, dir.uid, dir.gid ?? dir.uid);
    }
    for (const file of layer.files) await place(file.source, join(staging, file.target));
    for (const text of layer.texts ?? []) {
      const path = join(staging, text.target);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text.content, { mode: text.mode });
    }
    // The staging folder itself becomes "/": root's mode, as in any image.
    await chmod(staging, 0o755);
    await umoci(['insert', '--image', `${layout}:${LAYOUT_TAG}`, '--no-history', staging, '/'], `adding ${layer.description}`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function setConfig(layout: string, config: ImageConfigPlan): Promise<void> {
  const args = ['config', '--image', `${layout}:${LAYOUT_TAG}`, '--no-history', '--created', '1970-01-01T00:00:00Z'];
  for (const field of ['config.env', 'config.cmd', 'config.entrypoint', 'config.exposedports', 'config.labels']) args.push('--clear', field);
  for (const [key, value] of Object.entries(config.env)) args.push('--config.env', `${key}=${value}`);
  for (const word of config.entrypoint ?? []) args.push('--config.entrypoint', word);
  for (const word of config.cmd ?? []) args.push('--config.cmd', word);
  for (const port of config.exposedPorts) args.push('--config.exposedports', port);
  for (const [key, value] of Object.entries(config.labels)) args.push('--config.label', `${key}=${value}`);
  args.push('--config.workingdir', config.workingDir ?? '/', '--config.user', config.user ?? '');
  await umoci(args, 'setting the configuration');
}

async function newLayout(layout: string): Promise<void> {
  await umoci(['init', '--layout', layout], 'making a layout');
  await umoci(['new', '--image', `${layout}:${LAYOUT_TAG}`], 'making an empty image');
}

/** A copy of a layout whose blobs are hard links to the original's. */
async function cloneLayout(from: string, to: string): Promise<void> {
  await mkdir(join(to, 'blobs', 'sha256'), { recursive: true });
  for (const blob of await readdir(join(from, 'blobs', 'sha256'))) {
    await link(join(from, 'blobs', 'sha256', blob), join(to, 'blobs', 'sha256', blob)).catch(() => copyFile(join(from, 'blobs', 'sha256', blob), join(to, 'blobs', 'sha256', blob)));
  }
  for (const file of ['index.json', 'oci-layout']) await writeFile(join(to, file), await readFile(join(from, file)));
}

async function cachedBase(base: BaseImage, cacheDir: string, scratch: string): Promise<string> {
  const layout = join(cacheDir, base.id);
  if (existsSync(join(layout, 'index.json'))) return layout;
  await mkdir(cacheDir, { recursive: true });
  const building = await mkdtemp(join(cacheDir, `.${base.id}-`));
  try {
    const inner = join(building, 'layout');
    await newLayout(inner);
    for (const layer of base.layers) await insertLayer(inner, layer, scratch);
    await setConfig(inner, base.config);
    await umoci(['gc', '--layout', inner], 'collecting garbage');
    // Renamed into place whole: a concurrent build sees either nothing or the finished base.
    await rename(inner, layout).catch(async (error) => {
      if (!existsSync(join(layout, 'index.json'))) throw error;
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return layout;
}

export interface PackOptions {
  /** A scratch folder for this build (removed by the caller). */
  scratch: string;
  /** Where packed base images are kept between builds. */
  cacheDir: string;
}

/** Packs the plan; returns the layout folder (inside `scratch`), its image tagged LAYOUT_TAG. */
export async function packImage(plan: ImagePlan, options: PackOptions): Promise<string> {
  await mkdir(options.scratch, { recursive: true });
  const layout = await mkdtemp(join(options.scratch, 'image-'));
  await rm(layout, { recursive: true });
  if (plan.base) await cloneLayout(await cachedBase(plan.base, options.cacheDir, options.scratch), layout);
  else await newLayout(layout);
  for (const layer of plan.layers) await insertLayer(layout, layer, options.scratch);
  await setConfig(layout, plan.config);
  await umoci(['gc', '--layout', layout], 'collecting garbage');
  return layout;
}
