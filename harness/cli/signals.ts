/**
 * Ctrl-C and SIGTERM: the first asks the run to stop and clean up (every process, namespace
 * and cgroup it created); a second one while cleaning up exits at once.
 */
export function abortOnSignals(stream: NodeJS.WriteStream = process.stderr): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count > 1) {
      stream.write(`fogbench: second ${sig}, exiting without finishing cleanup\n`);
      process.exit(130);
    }
    stream.write(`\nfogbench: ${sig} received, stopping and cleaning up (again to force)\n`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
