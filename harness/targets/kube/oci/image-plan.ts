/**
 * An image as layers of host files plus its configuration: what build-image.ts packs with
 * umoci. Plans come from a compiler's Dockerfile (dockerfile.ts) or are written directly for
 * a single binary (the cluster's own add-ons, the OpenFaaS gateway and provider).
 */

/** A file or folder of this host, put at `target` in the image (a folder: its contents). */
export interface ImageFile {
  source: string;
  target: string;
}

/** A folder made in the image (Dockerfile WORKDIR, /tmp), with its mode and owner. */
export interface ImageDir {
  target: string;
  mode: number;
  uid?: number;
  gid?: number;
}

/** A small file written into the image (/etc/passwd). */
export interface ImageText {
  target: string;
  content: string;
  mode: number;
}

export interface LayerPlan {
  /** What the layer is, for the manifest and error messages. */
  description: string;
  files: ImageFile[];
  dirs?: ImageDir[];
  texts?: ImageText[];
}

export interface ImageConfigPlan {
  env: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  exposedPorts: string[];
  labels: Record<string, string>;
}

/** A base image made on this host, standing in for a registry image the Dockerfile names. */
export interface BaseImage {
  /** Cache key: the same id is the same content. */
  id: string;
  layers: LayerPlan[];
  config: ImageConfigPlan;
  /** What it stands in for and how, for the run manifest. */
  note: string;
  /** Files other stages may COPY --from (path in the image → host file). */
  files?: Record<string, string>;
}

export interface ImagePlan {
  base: BaseImage | null;
  /** Layers on top of the base. */
  layers: LayerPlan[];
  config: ImageConfigPlan;
  notes: string[];
}

export function emptyConfig(): ImageConfigPlan {
  return { env: {}, exposedPorts: [], labels: {} };
}

/** The usual PATH of a Linux image (and of the node images the Dockerfiles name). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One binary with whatever it loads, as the image's entrypoint. */
export function binaryImagePlan(input: { name: string; files: ImageFile[]; entrypoint: string[]; user?: string; env?: Record<string, string>; note: string }): ImagePlan {
  return {
    base: null,
    layers: [
      {
        description: input.name,
        files: input.files,
        // A writable /tmp, as every image has one.
        dirs: [{ target: '/tmp', mode: 0o1777 }],
        texts: [passwdFile(), groupFile()].map((t) => ({ ...t, mode: 0o644 })),
      },
    ],
    config: { ...emptyConfig(), env: { PATH: DEFAULT_PATH, ...input.env }, entrypoint: input.entrypoint, ...(input.user ? { user: input.user } : {}) },
    notes: [input.note],
  };
}

/** root, node (uid 1000, as in the node images) and nobody. */
export function passwdFile(): { target: string; content: string } {
  return {
    target: '/etc/passwd',
    content: 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n',
  };
}

export function groupFile(): { target: string; content: string } {
  return { target: '/etc/group', content: 'root:x:0:\nnode:x:1000:\nnogroup:x:65534:\n' };
}
