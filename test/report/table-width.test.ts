/**
 * The report's tables read in a 1400 px window without scrolling sideways (issue 13: the
 * profiles table was wider), in Debian's chromium from file://.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunReport } from '../../harness/report/writer.ts';
import { removeTempRoots, tempRoot, writeRunFolder } from './run-folder.ts';

const CHROMIUM = '/usr/bin/chromium';
let browser: Browser;
let page: string;

beforeAll(async () => {
  await access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests`);
  });
  const root = await tempRoot('fogbench-width-');
  // Big numbers in every column: the widest a real run's table gets.
  const { dir } = await writeRunFolder(join(root, 'runs'), { runId: 'wide', seconds: 3, workers: [1, 5, 10, 50] });
  page = pathToFileURL((await writeRunReport(dir)).htmlPath).href;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await removeTempRoots();
});

describe('tables in a 1400 px window', () => {
  it('fit without a sideways scroll bar', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const tab = await context.newPage();
    await tab.route(/^(?!file:|data:)/, (route) => route.abort());
    await tab.goto(page);
    const overflowing = await tab.$$eval('.scroll', (boxes) =>
      boxes.filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => `${b.querySelector('table')?.dataset.table}: ${b.scrollWidth} > ${b.clientWidth}`),
    );
    // The manifest and nodes tables hold free text (JSON) and may wrap; none may scroll.
    expect(overflowing).toEqual([]);
    await context.close();
  }, 60_000);
});
