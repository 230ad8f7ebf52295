/**
 * The programs of the local OpenFaaS target, built on first use and cached under
 * build/openfaas: the real gateway and of-watchdog, installed unmodified with
 * `go install module@version` at the versions in pins.json; the chart's companions, Prometheus
 * and alertmanager, built unmodified from their modules at the chart's releases; and our
 * provider, built from harness/openfaas/provider. Each cache folder is named by what decides
 * its content (the pin, or the provider's source hash), so a changed pin or an edited provider
 * rebuilds.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { environmentError } from '../../errors.ts';
import { describeBinary, type BinaryInfo } from './build-info.ts';
import { findGo, goEnvironment, runGo } from './go-toolchain.ts';
import { installInto } from './install-into.ts';
import { readPins, type BinaryPin, type CompanionPin } from './pins.ts';
import { PROVIDER_BINARY, PROVIDER_DIR, PROVIDER_MODULE, providerSourceHash } from './provider-source.ts';

export type { BinaryInfo } from './build-info.ts';

const BUILD_DIR = fileURLToPath(new URL('../../../build/openfaas/', import.meta.url));
/** The OpenFaaS module mirror beside the repository (../shared/goproxy), when there is one. */
const MIRROR_DIR = fileURLToPath(new URL('../../../../shared/goproxy', import.meta.url));

export interface OpenFaaSBinaries {
  gateway: BinaryInfo;
  watchdog: BinaryInfo;
  provider: BinaryInfo;
  prometheus: BinaryInfo;
  alertmanager: BinaryInfo;
}

export interface EnsureOptions {
  /** Cache folder; default <repo>/build/openfaas. */
  buildDir?: string;
  /** Where to look for `go` (PATH). */
  searchPath: string;
  /** Module mirror; default <repo>/../shared/goproxy when it exists; null: never use one. */
  mirrorDir?: string | null;
}

/** Paths and build info of the gateway, of-watchdog and provider, building what is missing. */
export async function ensureOpenFaaSBinaries(options: EnsureOptions): Promise<OpenFaaSBinaries> {
  const buildDir = options.buildDir ?? BUILD_DIR;
  const mirrorDir = chooseMirror(options.mirrorDir);
  const go = findGo(options.searchPath);
  const pins = readPins();
  // go env is asked only when something must be built: a cached run needs no proxy.
  let env: Record<string, string> | undefined;
  const buildEnv = async () => (env ??= await goEnvironment(go, mirrorDir));
  const plain = { CGO_ENABLED: '0' };
  const hint = mirrorDir === null ? `where the module proxy refuses github.com/openfaas, put the module mirror at ${MIRROR_DIR}` : undefined;

  const pinned = async (pin: BinaryPin): Promise<BinaryInfo> => {
    const key = createHash('sha256').update(`${pin.module}@${pin.version} CGO_ENABLED=0 -trimpath`).digest('hex').slice(0, 12);
    const path = await installInto(join(buildDir, `${pin.binary}-${key}`, pin.binary), async (gobin) => {
      await runGo(go, ['install', '-trimpath', `${pin.module}@${pin.version}`], {
        env: { ...(await buildEnv()), GOBIN: gobin },
        cwd: gobin,
        what: `building ${pin.binary}`,
        hint,
      });
    });
    const info = await describeBinary(go, pin.binary, path, plain);
    if (info.module !== pin.module || info.version !== pin.version) {
      throw environmentError(`${path} is ${info.module}@${info.version}, not the pinned ${pin.module}@${pin.version}; delete it and build again`);
    }
    return info;
  };

  const provider = async (): Promise<BinaryInfo> => {
    const hash = providerSourceHash();
    const path = await installInto(join(buildDir, `${PROVIDER_BINARY}-${hash}`, PROVIDER_BINARY), async (folder) => {
      // -buildvcs=false: the binary must depend on the source alone (the cache key), not on git.
      const args = ['build', '-trimpath', '-buildvcs=false', `-ldflags=-X main.sourceHash=${hash}`, '-o', join(folder, PROVIDER_BINARY), '.'];
      await runGo(go, args, { env: await buildEnv(), cwd: PROVIDER_DIR, what: `building ${PROVIDER_BINARY}`, hint });
    });
    const info = await describeBinary(go, PROVIDER_BINARY, path, plain);
    if (info.module !== PROVIDER_MODULE) throw environmentError(`${path} is ${info.module}, not ${PROVIDER_MODULE}; delete it and build again`);
    return { ...info, version: `source:${hash}` };
  };

  /**
   * Prometheus's go.mod has a replace directive, so `go install` refuses it: the module is
   * downloaded (verified against the checksum database like any dependency) and its package
   * built in the module's own folder, with its go.sum, as its release build does, the release
   * stamped where promu stamps it. Alertmanager is built the same way.
   */
  const companion = async (pin: CompanionPin): Promise<BinaryInfo> => {
    const ldflags = `-ldflags=-X github.com/prometheus/common/version.Version=${pin.release}`;
    const key = createHash('sha256').update(`${pin.module}@${pin.version} ${pin.package} CGO_ENABLED=0 -trimpath ${ldflags}`).digest('hex').slice(0, 12);
    const path = await installInto(join(buildDir, `${pin.binary}-${key}`, pin.binary), async (folder) => {
      const downloaded = await runGo(go, ['mod', 'download', '-json', `${pin.module}@${pin.version}`], { env: await buildEnv(), cwd: folder, what: `downloading ${pin.binary}` });
      const moduleDir = (JSON.parse(downloaded) as { Dir?: string }).Dir;
      if (!moduleDir) throw environmentError(`go mod download ${pin.module}@${pin.version} named no folder`);
      await runGo(go, ['build', '-trimpath', ldflags, '-o', join(folder, pin.binary), pin.package], { env: await buildEnv(), cwd: moduleDir, what: `building ${pin.binary}`, hint });
    });
    const info = await describeBinary(go, pin.binary, path, plain);
    if (info.module !== pin.module) throw environmentError(`${path} is ${info.module}, not ${pin.module}; delete it and build again`);
    // Built in the module's folder, the build info says (devel): the release it reports is checked instead.
    const reported = await runBinary(path, ['--version']);
    if (!reported.includes(`version ${pin.release}`)) throw environmentError(`${path} reports "${reported.split('\n')[0]}", not version ${pin.release}; delete it and build again`);
    return { ...info, version: pin.version };
  };

  // One at a time: each go build already uses every core.
  const gateway = await pinned(pins.gateway);
  const watchdog = await pinned(pins.watchdog);
  const prometheus = await companion(pins.prometheus);
  const alertmanager = await companion(pins.alertmanager);
  return { gateway, watchdog, provider: await provider(), prometheus, alertmanager };
}

async function runBinary(path: string, args: string[]): Promise<string> {
  const result = await execa(path, args, { reject: false, all: true });
  return result.all ?? '';
}

function chooseMirror(mirrorDir: string | null | undefined): string | null {
  if (mirrorDir === null) return null;
  if (mirrorDir === undefined) return existsSync(MIRROR_DIR) ? MIRROR_DIR : null;
  if (!existsSync(mirrorDir)) throw environmentError(`the Go module mirror ${mirrorDir} does not exist`);
  return mirrorDir;
}
