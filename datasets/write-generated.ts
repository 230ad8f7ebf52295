/**
 * Writes a generated dataset to a file: through a temporary file and a rename, so an
 * interrupted generation never leaves a half-written month where the cache expects a full one.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { usageError } from '../harness/errors.ts';
import { checkReplaceable } from '../harness/safe-fs.ts';
import { generateDataset, type GenerateOptions } from './generator.ts';

export interface WrittenDataset {
  file: string;
  bytes: number;
  sha256: string;
}

export async function writeGeneratedDataset(file: string, options: GenerateOptions): Promise<WrittenDataset> {
  await mkdir(dirname(file), { recursive: true });
  await checkReplaceable(file);
  const temporary = `${file}.partial-${process.pid}`;
  // Created new ('wx'): never written through a link planted at that predictable name.
  const out = createWriteStream(temporary, { flags: 'wx' });
  await once(out, 'open').catch((error: Error) => {
    throw usageError(`cannot create ${temporary}: ${error.message}; remove what is there`, error);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for (const text of generateDataset(options)) {
      const chunk = Buffer.from(text, 'utf8');
      hash.update(chunk);
      bytes += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await rename(temporary, file);
  } catch (error) {
    out.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  return { file, bytes, sha256: hash.digest('hex') };
}
