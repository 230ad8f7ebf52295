/**
 * The options that decide how the systems are built, shared by `bench` and `serve`: the one
 * end-to-end deadline both systems enforce, the per-step wait, and the server OpenFaaS
 * functions run in. The flags the deadline replaced are refused with a line saying so.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_FUNCTION_RUNTIME, FUNCTION_RUNTIMES, type FunctionRuntime } from '../openfaas/runtime.ts';
import { NODE_TEMPLATE } from '../openfaas/settings.ts';
import { parseDuration } from './parse.ts';

export const DEFAULT_DEADLINE_MS = NODE_TEMPLATE.execTimeoutSeconds * 1000;
export const DEFAULT_HOP_TIMEOUT_MS = 10_000;

export interface RawSystemOptions {
  deadline: number;
  hopTimeout: number;
  functionRuntime: FunctionRuntime;
}

const retired = (flag: string, was: string) =>
  new Option(`${flag} <time>`)
    .hideHelp()
    .argParser(() => {
      throw new InvalidArgumentError(`${flag} (${was}) was replaced by --deadline, one end-to-end deadline for both systems: p2p's chain budget and every OpenFaaS watchdog's exec_timeout`);
    });

export function addSystemOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--deadline <time>', "end-to-end deadline inside both systems: p2p's chain budget, and every OpenFaaS watchdog's exec_timeout (the entry function's caps the chain)")
        .argParser(parseDuration)
        .default(DEFAULT_DEADLINE_MS, "10s, the node20 template's exec_timeout"),
    )
    .addOption(
      new Option('--hop-timeout <time>', "longest wait for the next step: a p2p service's for the next service, the orchestrator's for a step")
        .argParser(parseDuration)
        .default(DEFAULT_HOP_TIMEOUT_MS, '10s'),
    )
    .addOption(
      new Option('--function-runtime <name>', "openfaas: the functions' server: template = the node20 template's (express, body-parser; steps called with fetch, JSON decoded and re-encoded), bare = plain node:http passing bytes on (how much is the template's)")
        .choices(FUNCTION_RUNTIMES)
        .default(DEFAULT_FUNCTION_RUNTIME),
    )
    .addOption(retired('--chain-budget', "p2p's chain budget"))
    .addOption(retired('--function-timeout', "of-watchdog's exec_timeout"));
}
