/** The sensor feed: each GET answers the next batch of consecutive readings, from one shared cursor, wrapping at the end. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataset } from '../../harness/load/replay.ts';
import { startSensorFeed } from '../../harness/load/sensor-feed.ts';
import { DEFAULT_DATASET } from '../../harness/load/replay.ts';

describe('sensor feed', () => {
  let feed: Awaited<ReturnType<typeof startSensorFeed>>;
  let url: string;
  beforeAll(async () => {
    feed = await startSensorFeed({ dataset: DEFAULT_DATASET, readings: 5_000, host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${feed.port}/`;
  });
  afterAll(async () => feed?.close());

  it('answers the same batches the client replay would send, in order, wrapping at the end', async () => {
    const replay = (await openDataset(DEFAULT_DATASET, { batchSize: 5_000 })).source;
    // The sample holds 14,520 readings: the third batch wraps to the start.
    for (let i = 0; i < 4; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(replay.next())).toBe(true);
      expect((JSON.parse(body.toString('utf8')) as unknown[]).length).toBe(5_000);
    }
  });

  it('answers its health check, and only GET', async () => {
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    expect((await fetch(url, { method: 'POST', body: 'x' })).status).toBe(405);
  });
});
