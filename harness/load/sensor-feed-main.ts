/** Process entry of the sensor feed (sensor-feed.ts): reads its settings from env, stops on SIGTERM. */
import { SENSOR_FEED_PORT, startSensorFeed } from './sensor-feed.ts';

const need = (key: string): string => {
  const value = process.env[key];
  if (!value) throw new Error(`${key} must be set`);
  return value;
};

const feed = await startSensorFeed({
  dataset: need('FOGBENCH_FEED_DATASET'),
  readings: Number(need('FOGBENCH_FEED_READINGS')),
  host: process.env.FOGBENCH_HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? SENSOR_FEED_PORT),
});
process.stderr.write(`fogbench sensor feed listening on ${feed.port}\n`);
const stop = () => void feed.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
