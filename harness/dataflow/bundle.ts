/**
 * Bundles a TypeScript entry into one self-contained ESM file for Node (no node_modules needed
 * at run time), so services and the load agent start as plain `node file.mjs` anywhere.
 */
import { build } from 'esbuild';

export interface BundleInput {
  /** Either a file to bundle, or generated source resolved against resolveDir. */
  entryFile?: string;
  contents?: { source: string; resolveDir: string; name: string };
  outfile: string;
}

export async function bundleForNode(input: BundleInput): Promise<void> {
  await build({
    ...(input.entryFile
      ? { entryPoints: [input.entryFile] }
      : { stdin: { contents: input.contents!.source, resolveDir: input.contents!.resolveDir, sourcefile: input.contents!.name, loader: 'ts' as const } }),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: input.outfile,
    // CommonJS dependencies (autocannon, hdr-histogram-js) need a require() inside an ESM bundle.
    banner: { js: "import { createRequire as __fbRequire } from 'node:module'; const require = __fbRequire(import.meta.url);" },
    logLevel: 'silent',
    legalComments: 'none',
  });
}
