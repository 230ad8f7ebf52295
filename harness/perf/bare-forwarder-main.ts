/**
 * The baseline for the p2p runtime's overhead: a bare node:http service that parses the body,
 * runs the same scenario function and posts the result to the next URL over a keep-alive
 * agent. No routing, no spans, no envelopes, no budgets.
 */
import http from 'node:http';
import type { Scenario } from '../dataflow/scenario.ts';

export function runBareForwarder(scenario: Scenario, functionName: string): void {
  const fn = scenario.functions.find((f) => f.name === functionName)!;
  const next = process.env.NEXT_URL ? new URL(process.env.NEXT_URL) : undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const context = { service: functionName, config: scenario.config };
  http
    .createServer((req, res) => {
      if (req.method === 'GET') return void res.end('ok');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const out = Buffer.from(JSON.stringify(await fn.run(JSON.parse(Buffer.concat(chunks).toString()), context)));
        if (!next) return void res.writeHead(200, { 'content-type': 'application/json' }).end(out);
        const call = http.request(
          { host: next.hostname, port: next.port, method: 'POST', path: '/', agent, headers: { 'content-type': 'application/json', 'content-length': out.length } },
          (down) => {
            const parts: Buffer[] = [];
            down.on('data', (c: Buffer) => parts.push(c));
            down.on('end', () => res.writeHead(down.statusCode ?? 502, { 'content-type': 'application/json' }).end(Buffer.concat(parts)));
          },
        );
        call.on('error', () => res.writeHead(502).end());
        call.end(out);
      });
    })
    .listen(Number(process.env.PORT), process.env.FOGBENCH_HOST ?? '127.0.0.1');
  // A normal exit on SIGTERM, as the p2p services have: `node --cpu-prof` writes its profile then.
  process.once('SIGTERM', () => process.exit(0));
}
