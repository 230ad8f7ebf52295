/** The sweep's fitted cost terms and prediction for the terminal (pure). */
import { COST_TERMS } from '../metrics/cost-model.ts';
import { METRIC_LABEL, METRIC_UNIT, SWEEP_METRICS, type PredictionRow, type SweepFit } from '../metrics/sweep-analysis.ts';
import { termUnit } from '../report/charts/sweep-charts.ts';

const HEAD: Record<(typeof COST_TERMS)[number], string> = { fixed: 'fixed', perHop: 'per hop', perByte: 'per MB', perBytePerHop: 'per MB per hop', perShapedByte: 'per MB past burst' };

/** 3 significant digits, without exponent for the sizes seen here. */
function num(v: number): string {
  const abs = Math.abs(v);
  if (abs === 0) return '0';
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), '  ' + widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function renderCostModel(fits: readonly SweepFit[], predictions: readonly PredictionRow[], predictScenario: string | null): string {
  const out: string[] = [];
  for (const metric of SWEEP_METRICS) {
    const mine = fits.filter((f) => f.metric === metric);
    if (mine.length === 0) continue;
    out.push(
      `cost model: ${METRIC_LABEL[metric]} (${METRIC_UNIT[metric]}) = fixed + per MB · client MB + per hop · steps + per MB per hop · MB the hops carry + per MB past burst · MB beyond the links' burst` +
        ` (weighted least squares, weights 1/ŷ²; [95 % Student-t interval]):`,
    );
    const rows = mine.map((f) => [
      f.system,
      String(f.workers),
      ...COST_TERMS.map((name) => {
        const t = f.fit?.terms.find((x) => x.name === name);
        if (!f.fit || !t || f.fit.omitted.some((o) => o.name === name)) return '-';
        return t.lo !== null && t.hi !== null ? `${num(t.estimate)} [${num(t.lo)}, ${num(t.hi)}]` : num(t.estimate);
      }),
      String(f.fit?.n ?? 0),
      f.fit?.relativeSd != null ? `${(f.fit.relativeSd * 100).toFixed(0)}%` : '-',
    ]);
    out.push(table(['system', 'workers', ...COST_TERMS.map((n) => `${HEAD[n]} (${termUnit(metric, n)})`), 'points', 'scatter'], rows));
  }
  if (predictions.length) {
    out.push(
      `prediction for ${predictScenario ?? 'the --predict scenario'} (measured: the mean of its runs; interval: the mean of as many new runs; its steps' own work in place of the sweep's):`,
    );
    out.push(
      table(
        ['system', 'workers', 'figure', 'runs', 'measured', 'predicted [95 %]', 'error', 'inside'],
        predictions.map((p) => [
          p.system,
          String(p.workers),
          `${METRIC_LABEL[p.metric]} ${METRIC_UNIT[p.metric]}`,
          p.repetitions.map(num).join(', '),
          num(p.measured),
          p.predicted.single ? `${num(p.predicted.estimate)} [${num(p.predicted.single.lo)}, ${num(p.predicted.single.hi)}]` : num(p.predicted.estimate),
          `${p.error > 0 ? '+' : ''}${(p.error * 100).toFixed(0)}%`,
          p.inside === null ? '-' : p.inside ? 'yes' : 'no',
        ]),
      ),
    );
  }
  return out.join('\n');
}
