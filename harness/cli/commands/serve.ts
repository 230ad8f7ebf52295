/**
 * `fogbench serve`: deploy a system and keep it running, printing its entry URL, so external
 * tools (hey, wrk, curl) can be aimed at it. Ctrl-C removes everything.
 */
import { Command, Option } from 'commander';
import { loadScenarioSource } from '../../dataflow/compile.ts';
import { deploySystem } from '../../bench/deploy-system.ts';
import { checkSystems, SYSTEMS } from '../../systems/registry.ts';
import { createTargetFromCli, DEFAULT_TARGET, requestedMaintenance, TARGET_DEFINITIONS } from '../../targets/registry.ts';
import { addTargetOptions } from '../target-options.ts';
import { addSystemOptions, type RawSystemOptions } from '../system-options.ts';
import { newRunId } from '../../bench/provenance.ts';
import { collectKeyValue, parseDuration, parseList } from '../parse.ts';
import { abortOnSignals } from '../signals.ts';
import { ownerDirFromEnv } from '../environment.ts';
import { usageError } from '../../errors.ts';
import { BUILD_ROOT, claimBuildFolder, cleanupBuildFolders, describeAbandoned } from '../../build-folders.ts';

interface ServeOptions extends RawSystemOptions {
  scenario: string;
  systems?: string[];
  /** The older spelling of --systems, still accepted. */
  system?: string;
  target: string;
  config: Record<string, string>;
  readyTimeout: number;
  spans: boolean;
  topology?: string;
  kubeconfig?: string;
  context?: string;
  registry?: string;
  keep?: boolean;
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('deploy one system and keep it running until Ctrl-C, printing its entry URL')
    .option('--scenario <file>', 'scenario module', 'scenarios/temperature.ts')
    .addOption(new Option('--systems <name>', 'system to deploy (one; the same flag as bench)').argParser(parseList).default(undefined, 'p2p'))
    .addOption(new Option('--system <name>', 'the older spelling of --systems').hideHelp())
    .option('--target <name>', `where it runs (${Object.keys(TARGET_DEFINITIONS).join(', ')})`, DEFAULT_TARGET)
    .option('--config <key=value>', 'scenario function setting, repeatable', collectKeyValue, {})
    .option('--ready-timeout <time>', 'longest wait for the deployment to become healthy', parseDuration, 30_000)
    .option('--spans', 'print every span (NDJSON) on stdout', false)
    .action(async (opts: ServeOptions) => {
      const chosen = opts.systems ?? (opts.system === undefined ? ['p2p'] : [opts.system]);
      if (opts.systems !== undefined && opts.system !== undefined) throw usageError('give the system once, with --systems');
      if (chosen.length !== 1) throw usageError(`serve deploys one system at a time; --systems names ${chosen.length} (${chosen.join(', ')})`);
      const systemName = chosen[0]!;
      checkSystems([systemName]);
      const system = SYSTEMS[systemName]!;
      const runId = `serve-${newRunId()}`;
      const maintenance = requestedMaintenance(opts as unknown as Record<string, unknown>);
      if (maintenance) return void process.stdout.write((await cleanupBuildFolders()) + (await maintenance.run({ ownerDir: ownerDirFromEnv() })));
      // Its build folder (the bundles, OpenFaaS's secrets) goes however serve ends (build-folders.ts).
      const build = await claimBuildFolder(BUILD_ROOT, runId);
      for (const line of describeAbandoned(build.removed)) process.stderr.write(`  ${line}\n`);
      const dir = build.dir;
      const target = await createTargetFromCli(opts.target, { runId, ownerDir: ownerDirFromEnv(), progress: (m) => process.stderr.write(`  ${m}\n`) }, opts as unknown as Record<string, unknown>).catch(
        async (error: unknown) => {
          await build.release();
          throw error;
        },
      );
      const signals = abortOnSignals();
      let disposePlan = async () => undefined as void;
      try {
        const refusal = system.refuses?.({ ...target.capabilities, kind: target.kind });
        if (refusal) throw usageError(refusal);
        const source = await loadScenarioSource(opts.scenario);
        // A Ctrl-C while compiling: nothing is made, nothing to remove.
        if (signals.signal.aborted) return;
        await target.prepare();
        const plan = await system.plan(
          source,
          { hopTimeoutMs: opts.hopTimeout, deadlineMs: opts.deadline, functionRuntime: opts.functionRuntime, config: opts.config, replicas: 1, buildDir: dir },
          { ...target.capabilities, kind: target.kind },
        );
        disposePlan = () => plan.dispose();
        const { deployment, entry, placement } = await deploySystem(target, plan, {
          readyTimeoutMs: opts.readyTimeout,
          onLine: (_unit, line) => {
            if (opts.spans) process.stdout.write(`${line}\n`);
          },
          signal: signals.signal,
        });
        const url = `http://${entry.host}:${entry.port}${plan.path}`;
        process.stderr.write(
          [
            `${systemName} is up on ${target.kind}: ${placement.join(' → ')}`,
            `entry URL: ${url}`,
            `try:  curl -s -X POST -H 'content-type: application/json' --data-binary @datasets/sample-batch.json ${url}`,
            `      hey -z 10s -c 5 -m POST -T application/json -D datasets/sample-batch.json ${url}`,
            'Ctrl-C stops it and removes everything it created.',
            '',
          ].join('\n'),
        );
        process.stdout.write(`${url}\n`);
        // (The abort may already have come while the URL was printed.)
        if (!signals.signal.aborted) await new Promise<void>((resolve) => signals.signal.addEventListener('abort', () => resolve(), { once: true }));
        await deployment.stop();
      } finally {
        // Every step is tried even when one fails: a failed dispose must not leave the rest.
        const failures: unknown[] = [];
        for (const step of [() => target.dispose(), () => disposePlan(), () => build.release()]) {
          await step().catch((error: unknown) => failures.push(error));
        }
        signals.dispose();
        if (failures.length > 0) throw failures[0];
      }
    });
  addSystemOptions(serve);
  addTargetOptions(serve);
}
