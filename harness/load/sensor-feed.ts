/**
 * The sensors' data source inside the system, for the paper's data path (--preset paper): the
 * client's requests carry no body and the scenario's `get` reads the next readings from here.
 * Each GET answers the next `readings` consecutive readings of the dataset as a JSON array,
 * from one cursor shared by every caller, wrapping at the end (the replay of replay.ts, which
 * the client uses when requests carry the data). It runs as a pod of its own on the core node,
 * deployed once per run for both systems alike; its pod is in neither system's cost.
 */
import http from 'node:http';
import { listen, type ListeningServer } from '../dataflow/listen.ts';
import { openDataset } from './replay.ts';

export interface SensorFeedOptions {
  dataset: string;
  readings: number;
  host: string;
  port: number;
}

export const SENSOR_FEED_PORT = 8090;

export async function startSensorFeed(options: SensorFeedOptions): Promise<ListeningServer> {
  const { source } = await openDataset(options.dataset, { batchSize: options.readings });
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    if (req.method !== 'GET') return void res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET' }).end('GET the next readings');
    const body = source.next();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  server.keepAliveTimeout = 65_000;
  return listen(server, options.host, options.port);
}
