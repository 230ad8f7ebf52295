/**
 * What every chart builder returns: a Vega-Lite spec with inline data plus the words the page
 * shows around it. Builders are pure functions of result data, so tests compile them with the
 * real vega-lite and render them with a vega View exactly as the browser does.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface Chart {
  /** Unique within a page; used as the element id and in test assertions. */
  id: string;
  title: string;
  /** One or two sentences on how to read the chart. */
  caption: string;
  spec: TopLevelSpec;
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Keeps embedded data small: per-second values need ~4 significant digits, not 17. */
export function round(value: number | null | undefined, digits = 4): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (value === 0) return 0;
  return Number(value.toPrecision(digits));
}

/**
 * Log scale when every value is positive and they span more than `ratio`: our loopback numbers
 * and the paper's VM numbers differ by orders of magnitude, and a linear axis would flatten one.
 */
export function scaleFor(values: number[], ratio = 20): { type: 'log' } | { type: 'linear'; zero: boolean } {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length > 0 && finite.every((v) => v > 0)) {
    const min = Math.min(...finite);
    const max = Math.max(...finite);
    if (max / min > ratio) return { type: 'log' };
  }
  return { type: 'linear', zero: true };
}

/** The system colours, fixed so p2p and OpenFaaS look the same in every chart and page. */
export function systemColor(systems: string[]) {
  const known: Record<string, string> = { p2p: '#1f77b4', openfaas: '#d62728' };
  const spare = ['#2ca02c', '#9467bd', '#8c564b', '#e377c2'];
  let next = 0;
  const range = systems.map((s) => known[s] ?? spare[next++ % spare.length] ?? '#7f7f7f');
  return { field: 'system', type: 'nominal' as const, title: 'system', scale: { domain: systems, range } };
}

/** Twenty distinct colours (the category20 family), then evenly spread hues: never a repeat. */
const DISTINCT = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#aec7e8', '#ffbb78', '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5',
];

export function distinctColors(count: number): string[] {
  return Array.from({ length: count }, (_, i) => DISTINCT[i] ?? `hsl(${Math.round((i * 137.508) % 360)}, 60%, ${i % 2 ? 35 : 55}%)`);
}

/** A colour per name, each its own, in the order given (nodes in topology order, say). */
export function distinctColor(field: string, title: string, names: string[]) {
  return { field, type: 'nominal' as const, title, scale: { domain: names, range: distinctColors(names.length) } };
}

