#!/usr/bin/env -S npx tsx
/**
 * The fogbench command line. This folder is the only place that reads argv and env, prints,
 * and decides the exit code; everything below it takes parameters and returns data.
 */
import { Command } from 'commander';
import { runMain } from './run-main.ts';
import { registerBench } from './commands/bench.ts';

const program = new Command('fogbench')
  .description('Benchmark point-to-point microservices against OpenFaaS on small fog-sized clusters')
  .showHelpAfterError('(run with --help for the options)')
  .exitOverride();

// Each command registers itself; keep this list in the order `--help` should show them.
const registrations: ((program: Command) => void)[] = [registerBench];

for (const register of registrations) register(program);

runMain(program);
