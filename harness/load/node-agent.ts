/**
 * node:http connection agents for the drivers that use node:http (open loop): never a socket
 * cap, so nothing waits in the agent's queue unseen. A cap of `workers` sockets counts a
 * connection until it has finished closing, so with keep-alive off nearly every request waited
 * in the queue (a third of a millisecond here), inside its measured latency.
 */
import http from 'node:http';

/** A node:http agent that never queues: keep-alive as asked, as many sockets as requests. */
export function uncappedAgent(keepAlive: boolean, workers: number): http.Agent {
  return new http.Agent({ keepAlive, maxSockets: Infinity, maxFreeSockets: Math.max(1, workers), scheduling: 'lifo' });
}

/** Whether `req` was put in the agent's queue instead of getting a socket at once. */
export function waitsInAgent(agent: http.Agent, req: http.ClientRequest): boolean {
  const queues = agent.requests as unknown as Record<string, http.ClientRequest[] | undefined>;
  for (const name in queues) if (queues[name]?.includes(req)) return true;
  return false;
}
