/**
 * Browser script of the run report and the index, bundled by esbuild and inlined into each page.
 * Draws every chart from the specs embedded in the page with the vendored vega-embed (SVG, so
 * pages print sharply), and on the index recomputes the comparison when two other runs are
 * picked. It never fetches anything: the pages must work from file:// with no network.
 */
import { renderTable } from '../../harness/report/html.ts';
import { comparisonTable, type RunSummary } from '../../harness/report/run-summary.ts';

type Embed = (el: Element, spec: unknown, options: Record<string, unknown>) => Promise<unknown>;

function readJson<T>(id: string): T | null {
  const el = document.getElementById(id);
  return el?.textContent ? (JSON.parse(el.textContent) as T) : null;
}

async function drawCharts(): Promise<void> {
  const specs = readJson<Record<string, unknown>>('fogbench-charts') ?? {};
  const embed = (globalThis as unknown as { vegaEmbed?: Embed }).vegaEmbed;
  const containers = [...document.querySelectorAll<HTMLElement>('[data-chart]')];
  if (!embed) {
    for (const el of containers) el.innerHTML = '<p class="chart-error">The chart library did not load (vendor/ folder missing?); the tables hold the same figures.</p>';
    console.error('fogbench: vegaEmbed is not available; is the vendor/ folder next to this page?');
    document.documentElement.dataset.charts = 'failed';
    return;
  }
  let failed = 0;
  await Promise.all(
    containers.map(async (el) => {
      const id = el.dataset.chart ?? '';
      try {
        await embed(el, specs[id], { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
        el.dataset.rendered = 'true';
      } catch (error) {
        failed += 1;
        el.textContent = `This chart could not be drawn: ${(error as Error).message}`;
        console.error(`fogbench: chart ${id}:`, error);
      }
    }),
  );
  document.documentElement.dataset.charts = failed ? 'failed' : 'rendered';
}

function wireComparison(): void {
  const runs = readJson<RunSummary[]>('fogbench-runs');
  const pickA = document.getElementById('compare-a') as HTMLSelectElement | null;
  const pickB = document.getElementById('compare-b') as HTMLSelectElement | null;
  const target = document.getElementById('comparison');
  if (!runs || !pickA || !pickB || !target) return;
  const redraw = () => {
    const a = runs.find((r) => r.runId === pickA.value);
    const b = runs.find((r) => r.runId === pickB.value);
    if (a && b) target.innerHTML = renderTable(comparisonTable(a, b));
  };
  pickA.addEventListener('change', redraw);
  pickB.addEventListener('change', redraw);
}

wireComparison();
void drawCharts();
