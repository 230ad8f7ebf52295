/**
 * The environment variables fogbench reads, read here only (the CLI layer owns env) and passed
 * down as options.
 */

/**
 * FOGBENCH_OWNER_DIR: where fog runs keep their owner records (default /run/fogbench). A test,
 * or anyone running an isolated set of fog runs on a shared host, points it at a folder of its
 * own: `--cleanup` and each run's start then only ever see that folder's records.
 */
export function ownerDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env.FOGBENCH_OWNER_DIR;
  return dir === undefined || dir === '' ? undefined : dir;
}

/**
 * FOGBENCH_CALIBRATION: the calibration file `calibrate` writes and `bench --preset paper` reads
 * (default build/calibration/paper.json), so a test or a second host setup can keep its own.
 */
export function calibrationFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.FOGBENCH_CALIBRATION;
  return file === undefined || file === '' ? undefined : file;
}
