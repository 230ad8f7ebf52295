#!/usr/bin/env -S npx tsx
/**
 * The fogbench command line. This folder is the only place that reads argv and env, prints,
 * and decides the exit code; everything below it takes parameters and returns data.
 */
import { Command } from 'commander';
import { runMain } from './run-main.ts';
import { registerBench } from './commands/bench.ts';
import { registerServe } from './commands/serve.ts';
import { registerGate } from './commands/gate.ts';
import { registerReport } from './commands/report.ts';
import { registerDataset } from './commands/dataset.ts';
import { registerCluster } from './commands/cluster.ts';
import { registerCalibrate } from './commands/calibrate.ts';

// A reader that went away (a closed pipe) must not turn cleanup on Ctrl-C into a crash that
// leaves processes behind: output errors are dropped, the run goes on to clean up.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const program = new Command('fogbench')
  .description('Benchmark point-to-point microservices against OpenFaaS on small fog-sized clusters')
  // One line per error: commander's message plus where to look.
  .configureOutput({ outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`) })
  .exitOverride();

// Each command registers itself; keep this list in the order `--help` should show them.
const registrations: ((program: Command) => void)[] = [registerBench, registerCalibrate, registerServe, registerGate, registerReport, registerDataset, registerCluster];

for (const register of registrations) register(program);

runMain(program);
