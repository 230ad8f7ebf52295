/**
 * Process entry of a compiled p2p service: the service's own "CLI layer", the one place in a
 * service that reads env, writes spans (stdout, or the target's span socket) and handles signals. The compiler bundles it with the
 * scenario function it serves.
 */
import type { Scenario } from './scenario.ts';
import { readServiceEnv } from './service-env.ts';
import { startP2PService } from './p2p-service.ts';
import { spanOutput } from './span-output.ts';

export async function runP2PServiceFromEnv(scenario: Scenario, functionName: string): Promise<void> {
  const fn = scenario.functions.find((f) => f.name === functionName);
  if (!fn) throw new Error(`scenario ${scenario.name} has no function ${functionName}`);
  const settings = readServiceEnv(process.env, functionName);
  const service = await startP2PService({
    ...settings,
    fn,
    config: { ...scenario.config, ...settings.config },
    writeSpans: spanOutput(process.env),
  });
  process.stderr.write(`fogbench p2p service ${settings.name} listening on ${settings.host}:${service.port}\n`);
  const stop = () => {
    service.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  watchOwner(process.env.FOGBENCH_OWNER_PID, stop);
}

/**
 * A service started by a harness that has since died (killed with SIGKILL, say) would run on
 * with nobody to stop it; it stops itself once its owner process is gone.
 */
function watchOwner(pid: string | undefined, stop: () => void): void {
  const owner = Number(pid);
  if (!Number.isInteger(owner) || owner <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(owner, 0);
    } catch {
      clearInterval(timer);
      stop();
    }
  }, 1_000);
  timer.unref();
}
