/**
 * The gateway's basic-auth secret, as the chart's `basic-auth` Secret holds it: files
 * basic-auth-user and basic-auth-password in one folder (secret_mount_path), read by the
 * gateway and the provider. Generated per run (user admin, as the chart), created 0600 from
 * the first byte in a 0700 folder, never printed or written into results, removed with the run.
 */
import { randomInt } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface SecretFolder {
  dir: string;
  remove(): Promise<void>;
}

export async function writeBasicAuthSecret(dir: string): Promise<SecretFolder> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The chart generates 12 alphanumerics; a longer one costs nothing here.
  const password = Array.from({ length: 24 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  // 'wx': a file already there (a leftover, a link planted in its place) is an error, not overwritten.
  await writeFile(path.join(dir, 'basic-auth-user'), 'admin', { mode: 0o600, flag: 'wx' });
  await writeFile(path.join(dir, 'basic-auth-password'), password, { mode: 0o600, flag: 'wx' });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The credentials in a secret folder (tests and tools that talk to /system/*). */
export async function readBasicAuthSecret(dir: string): Promise<{ user: string; password: string }> {
  const [user, password] = await Promise.all(['basic-auth-user', 'basic-auth-password'].map((f) => readFile(path.join(dir, f), 'utf8')));
  return { user: user!.trim(), password: password!.trim() };
}
