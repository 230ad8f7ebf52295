/**
 * Progress while a bench runs: a live bar per profile on a terminal, a plain line every ten
 * seconds otherwise (CI logs), always on stderr so stdout keeps only the summary.
 */
import cliProgress from 'cli-progress';
import type { BenchEvent } from '../bench/options.ts';

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): (event: BenchEvent) => void {
  const tty = Boolean(stream.isTTY);
  let bar: cliProgress.SingleBar | undefined;
  let lastLine = 0;
  return (event) => {
    switch (event.type) {
      case 'phase':
        stream.write(`• ${event.message}\n`);
        break;
      case 'profile-start': {
        const total = Math.round(event.durationMs / 1000);
        const label = event.repeat > 1 ? `${event.system} w${event.workers} (run ${event.repetition}/${event.repeat})` : `${event.system} w${event.workers}`;
        if (tty) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: `  ${label} [{bar}] {value}/{total}s | {requests} req | {rate} req/s | {errors} errors`,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(total, 0, { requests: 0, rate: '0.0', errors: 0 });
        } else {
          stream.write(`  ${label}: running for ${total}s\n`);
        }
        lastLine = 0;
        break;
      }
      case 'profile-progress': {
        const seconds = event.elapsedMs / 1000;
        const rate = seconds > 0 ? (event.requests / seconds).toFixed(1) : '0.0';
        if (bar) bar.update(Math.floor(seconds), { requests: event.requests, rate, errors: event.errors });
        else if (seconds - lastLine >= 10) {
          lastLine = seconds;
          stream.write(`  ${event.system} w${event.workers}: ${Math.floor(seconds)}s, ${event.requests} req, ${rate} req/s, ${event.errors} errors\n`);
        }
        break;
      }
      case 'profile-end':
        bar?.stop();
        bar = undefined;
        stream.write(`  ${event.system} w${event.workers}: ${event.interrupted ? 'interrupted, partial result' : 'done'} → ${event.file}\n`);
        break;
    }
  };
}
