/**
 * Reads the Dockerfiles the compiler writes into an image plan, without a container engine:
 * each FROM names a base image that this host can make (base-images.ts), and every other
 * instruction the compilers use is applied as `docker build` applies it — COPY makes a layer
 * of files from the build context (or from an earlier stage's files), WORKDIR, ENV, USER, CMD,
 * ENTRYPOINT, EXPOSE and LABEL set the configuration. HEALTHCHECK is kept out (Kubernetes
 * ignores it and runs the pod's probes). RUN cannot be done without running a container, and
 * an unknown instruction would be silently wrong, so both are refused with the line.
 */
import { existsSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { deployError } from '../../../errors.ts';
import { type BaseImage, type ImageConfigPlan, type ImagePlan, type LayerPlan } from './image-plan.ts';

export interface Instruction {
  keyword: string;
  /** The instruction's text after the keyword, continuation lines joined. */
  rest: string;
  line: number;
}

/** Instructions in order; comments and blank lines dropped, `\` continuations joined. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (pending !== '' && line.startsWith('#')) continue;
    if (pending === '') startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const space = full.search(/\s/);
    const keyword = (space < 0 ? full : full.slice(0, space)).toUpperCase();
    instructions.push({ keyword, rest: space < 0 ? '' : full.slice(space + 1).trim(), line: startLine });
  }
  if (pending !== '') throw new Error('the Dockerfile ends inside a continued line');
  return instructions;
}

/** Words of an instruction, honouring double and single quotes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      if (c === '\\' && i + 1 < text.length) current += text[++i];
      else current += c;
      started = true;
    }
  }
  if (quote) throw new Error(`unclosed ${quote} in "${text}"`);
  if (started) words.push(current);
  return words;
}

/** ENV and LABEL: `k=v k2="v 2"`, or the legacy `k value with spaces`. */
export function parsePairs(text: string): Record<string, string> {
  const words = splitWords(text);
  if (words.length > 0 && !words[0]!.includes('=')) {
    const key = words[0]!;
    return { [key]: text.trim().slice(key.length).trim() };
  }
  const pairs: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) throw new Error(`"${word}" is not key=value`);
    pairs[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return pairs;
}

function execForm(rest: string, what: string): string[] {
  if (!rest.startsWith('[')) throw new Error(`${what} in shell form needs /bin/sh, which images made here do not have: use the JSON form`);
  const parsed = JSON.parse(rest) as unknown;
  if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error(`${what} must be a JSON list of strings`);
  return parsed as string[];
}

function flagsOf(words: string[]): { flags: Record<string, string>; args: string[] } {
  const flags: Record<string, string> = {};
  const args: string[] = [];
  for (const word of words) {
    const m = /^--([a-z-]+)=(.*)$/.exec(word);
    if (m && args.length === 0) flags[m[1]!] = m[2]!;
    else args.push(word);
  }
  return { flags, args };
}

export interface DockerfileContext {
  /** The build context: COPY sources are relative to it. */
  contextDir: string;
  /** The base image that stands in for a FROM reference, or null when this host cannot make it. */
  base(reference: string): BaseImage | null;
}

interface Stage {
  name: string | null;
  base: BaseImage;
  layers: LayerPlan[];
  config: ImageConfigPlan;
}

/** The plan of the Dockerfile's last stage. */
export function planFromDockerfile(text: string, context: DockerfileContext, where: string): ImagePlan {
  const fail = (line: number, why: string): never => {
    throw deployError(`${where} line ${line}: ${why}`);
  };
  let instructions: Instruction[];
  try {
    instructions = parseDockerfile(text);
  } catch (error) {
    return fail(0, (error as Error).message);
  }
  const stages: Stage[] = [];
  const notes = new Set<string>();
  let stage: Stage | null = null;
  for (const ins of instructions) {
    try {
      if (ins.keyword === 'FROM') {
        const words = splitWords(ins.rest).filter((w) => !w.startsWith('--'));
        const reference = words[0] ?? fail(ins.line, 'FROM names no image');
        const base = context.base(reference) ?? fail(ins.line, `FROM ${reference}: no registry is reachable here and this host cannot make that image (it makes only the bases base-images.ts lists)`);
        notes.add(base.note);
        const name = words[1]?.toUpperCase() === 'AS' ? (words[2] ?? null) : null;
        stage = { name, base, layers: [], config: structuredClone(base.config) };
        stages.push(stage);
        continue;
      }
      if (stage === null) return fail(ins.line, `${ins.keyword} before any FROM`);
      applyInstruction(ins, stage, stages, context);
    } catch (error) {
      if ((error as { code?: string }).code === 'deploy') throw error;
      fail(ins.line, (error as Error).message);
    }
  }
  if (stage === null) return fail(0, 'no FROM');
  return { base: stage.base, layers: stage.layers, config: stage.config, notes: [...notes] };
}

function applyInstruction(ins: Instruction, stage: Stage, stages: Stage[], context: DockerfileContext): void {
  const config = stage.config;
  const workdir = config.workingDir ?? '/';
  switch (ins.keyword) {
    case 'WORKDIR': {
      const dir = posix.resolve(workdir, splitWords(ins.rest)[0] ?? '/');
      config.workingDir = dir;
      stage.layers.push({ description: `WORKDIR ${dir}`, files: [], dirs: [{ target: dir, mode: 0o755 }] });
      return;
    }
    case 'ENV':
      Object.assign(config.env, parsePairs(ins.rest));
      return;
    case 'LABEL':
      Object.assign(config.labels, parsePairs(ins.rest));
      return;
    case 'USER':
      config.user = splitWords(ins.rest)[0] ?? '';
      return;
    case 'CMD':
      config.cmd = execForm(ins.rest, 'CMD');
      return;
    case 'ENTRYPOINT':
      config.entrypoint = execForm(ins.rest, 'ENTRYPOINT');
      // As in docker build: a new ENTRYPOINT drops the base's CMD.
      delete config.cmd;
      return;
    case 'EXPOSE':
      for (const port of splitWords(ins.rest)) config.exposedPorts.push(port.includes('/') ? port : `${port}/tcp`);
      return;
    case 'HEALTHCHECK':
      // Kubernetes ignores HEALTHCHECK; the pod's probes are what runs.
      return;
    case 'COPY':
    case 'ADD':
      stage.layers.push(copyLayer(ins, stage, stages, context));
      return;
    case 'RUN':
      throw new Error('RUN needs a container engine to run the command; images are made here from files only');
    default:
      throw new Error(`${ins.keyword} is not understood by fogbench's image maker`);
  }
}

function copyLayer(ins: Instruction, stage: Stage, stages: Stage[], context: DockerfileContext): LayerPlan {
  const { flags, args } = ins.rest.startsWith('[') ? { flags: {} as Record<string, string>, args: execForm(ins.rest, 'COPY') } : flagsOf(splitWords(ins.rest));
  if (ins.keyword === 'ADD') throw new Error('ADD (archives, URLs) is not supported; use COPY');
  if (flags.chown || flags.chmod) throw new Error('COPY --chown/--chmod is not supported');
  if (args.length < 2) throw new Error('COPY needs a source and a destination');
  const destination = args[args.length - 1]!;
  const sources = args.slice(0, -1);
  const workdir = stage.config.workingDir ?? '/';
  const target = posix.resolve(workdir, destination);
  const intoDir = destination.endsWith('/') || sources.length > 1;
  const files = sources.map((source) => {
    if (/[*?[]/.test(source)) throw new Error(`COPY ${source}: wildcards are not supported`);
    let host: string;
    if (flags.from !== undefined) {
      const from = stages.find((s) => s.name === flags.from) ?? null;
      const file = from?.base.files?.[posix.resolve('/', source)];
      if (!file) throw new Error(`COPY --from=${flags.from} ${source}: that stage holds no such file`);
      host = file;
    } else {
      host = resolve(context.contextDir, source);
      if (!host.startsWith(resolve(context.contextDir))) throw new Error(`COPY ${source}: outside the build context`);
      if (!existsSync(host)) throw new Error(`COPY ${source}: not in the build context ${context.contextDir}`);
    }
    const isDir = statSync(host).isDirectory();
    return { source: host, target: isDir ? target : intoDir ? posix.join(target, posix.basename(source)) : target };
  });
  return { description: `COPY ${sources.join(' ')} ${destination}`, files };
}

