/**
 * Pure HTML building blocks shared by the run report and the index: escaping, tables that read
 * without JavaScript, chart placeholders the viewer script fills, and the page shell with the
 * vendored Vega scripts and the JSON the charts are drawn from.
 */
import type { Chart } from './charts/chart.ts';
import { formatCell, type Table } from './table.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close or confuse it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export interface TableOptions {
  csvHref?: string;
  /** Makes the cells of column 0 links: one href per row. */
  rowLinks?: string[];
}

export function renderTable(table: Table, options: TableOptions = {}): string {
  const parts = table.parts ?? [{ title: '', columns: table.columns.map((_, i) => i) }];
  const csv = options.csvHref ? ` <a class="csv" href="${escapeHtml(options.csvHref)}" download>CSV</a>` : '';
  const body = parts.map((part, p) => renderPart(table, part.columns, part.title, p, options)).join('\n');
  return `<section class="table" id="table-${escapeHtml(table.id)}">
<h3>${escapeHtml(table.title)}${csv}</h3>
${table.caption ? `<p class="caption">${escapeHtml(table.caption)}</p>` : ''}
${body}
</section>`;
}

/** One `<table>` of the given columns; parts after the first are labelled and numbered. */
function renderPart(table: Table, indexes: number[], title: string, part: number, options: TableOptions): string {
  const columns = indexes.map((i) => table.columns[i]!);
  const numeric = columns.map((c) => c.format !== 'text');
  const cell = (text: string, row: number, column: number) => {
    const href = column === 0 ? options.rowLinks?.[row] : undefined;
    return href ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
  };
  const head = columns.map((c, i) => `<th scope="col"${numeric[i] ? ' class="num"' : ''}>${escapeHtml(c.label)}</th>`).join('');
  const rows = table.rows
    .map((row, r) => `<tr>${indexes.map((index, i) => `<td${numeric[i] ? ' class="num"' : ''}>${cell(formatCell(row[index] ?? null, columns[i]!.format), r, i)}</td>`).join('')}</tr>`)
    .join('\n');
  const empty = table.rows.length === 0 ? `<tr><td colspan="${columns.length}" class="empty">none recorded</td></tr>` : '';
  const id = part === 0 ? table.id : `${table.id}-${part + 1}`;
  return `${title ? `<h4>${escapeHtml(title)}</h4>\n` : ''}<div class="scroll"><table data-table="${escapeHtml(id)}">
<thead><tr>${head}</tr></thead>
<tbody>
${rows}${empty}
</tbody>
</table></div>`;
}

/** A chart's place on the page; the viewer script renders `data-chart` from the embedded specs. */
export function renderChart(chart: Chart): string {
  return `<figure class="chart" id="figure-${escapeHtml(chart.id)}">
<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${escapeHtml(chart.caption)}</figcaption>
<div class="vega" data-chart="${escapeHtml(chart.id)}"><p class="no-js">Charts are drawn by JavaScript; the tables hold the same figures.</p></div>
</figure>`;
}

export interface PageParts {
  title: string;
  css: string;
  body: string;
  /** Script URLs relative to the page (the vendored vega, vega-lite, vega-embed builds). */
  vendorScripts: string[];
  /** Embedded as JSON under these element ids for the viewer script. */
  data: Record<string, unknown>;
  /** The bundled viewer script, inlined. */
  viewerScript: string;
}

export function renderPage(parts: PageParts): string {
  const data = Object.entries(parts.data)
    .map(([id, value]) => `<script type="application/json" id="${escapeHtml(id)}">${scriptJson(value)}</script>`)
    .join('\n');
  const vendor = parts.vendorScripts.map((src) => `<script src="${escapeHtml(src)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(parts.title)}</title>
<style>
${parts.css}
</style>
</head>
<body>
${parts.body}
${data}
${vendor}
<script>
${parts.viewerScript.replace(/<\/script/gi, '<\\/script')}
</script>
</body>
</html>
`;
}
