/**
 * Images for a cluster that can pull from nothing but its own registry (a local cluster): made
 * on this host from files with umoci (build-image.ts) and pushed over plain HTTP
 * (registry-push.ts), as `docker build` + `docker push` would. A unit's image follows the
 * Dockerfile the compiler wrote into its folder (dockerfile.ts), whatever files that folder
 * holds; the base images it names are made here (base-images.ts).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { deployError } from '../../../errors.ts';
import { pushOciLayout } from '../registry-push.ts';
import type { BaseResolver } from './base-images.ts';
import { LAYOUT_TAG, packImage } from './build-image.ts';
import { planFromDockerfile } from './dockerfile.ts';
import type { ImagePlan } from './image-plan.ts';

export interface LocalImageJob {
  ref: string;
  plan: ImagePlan;
}

export interface LocalImageOptions {
  /** Packed base images are kept here between builds. */
  cacheDir: string;
  /** A scratch folder is made and removed inside it. */
  workDir: string;
  progress: (message: string) => void;
  push?: (layout: string, tag: string, ref: string) => Promise<void>;
}

/** The plan of the image a compiled unit's Dockerfile describes. */
export async function unitImagePlan(artifactDir: string, bases: BaseResolver): Promise<ImagePlan> {
  const file = join(artifactDir, 'Dockerfile');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw deployError(`${artifactDir} has no Dockerfile, so it cannot run on Kubernetes; recompile the scenario`);
  }
  return planFromDockerfile(text, { contextDir: artifactDir, base: bases }, file);
}

/** Packs and pushes every job; returns the notes on how base images were made, once each. */
export async function packAndPush(jobs: readonly LocalImageJob[], options: LocalImageOptions): Promise<string[]> {
  await mkdir(options.workDir, { recursive: true });
  const scratch = await mkdtemp(join(options.workDir, 'images-'));
  const notes = new Set<string>();
  try {
    for (const job of jobs) {
      options.progress(`packing ${job.ref} with umoci`);
      const layout = await packImage(job.plan, { scratch, cacheDir: options.cacheDir });
      await (options.push ?? pushOciLayout)(layout, LAYOUT_TAG, job.ref);
      await rm(layout, { recursive: true, force: true });
      for (const note of job.plan.notes) notes.add(note);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return [...notes];
}
