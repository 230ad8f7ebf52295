/**
 * Renders a Vega-Lite spec the way the browser does, minus the browser: the real vega-lite
 * compiler, then a headless vega View to SVG. Also walks the scenegraph so tests can count the
 * items each named mark drew.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Rendered {
  svg: string;
  /** Items drawn per mark name (Vega-Lite names layer marks `<layer name>_marks` etc.). */
  items: Map<string, unknown[]>;
  warnings: string[];
  view: vega.View;
}

interface SceneNode {
  marktype?: string;
  name?: string;
  items?: SceneNode[];
  datum?: unknown;
}

function walk(node: SceneNode, into: Map<string, unknown[]>): void {
  if (node.marktype && node.name) {
    const list = into.get(node.name) ?? [];
    for (const item of node.items ?? []) list.push(item.datum);
    into.set(node.name, list);
  }
  for (const child of node.items ?? []) walk(child, into);
}

export async function render(spec: TopLevelSpec): Promise<Rendered> {
  const warnings: string[] = [];
  const logger = {
    level: (() => logger) as never,
    error: (...args: unknown[]) => { throw new Error(args.map(String).join(' ')); },
    warn: (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); return logger; },
    info: () => logger,
    debug: () => logger,
  };
  const compiled = compile(spec, { logger: logger as never }).spec;
  // vega's own runtime warnings (e.g. an infinite extent from empty data) are collected too.
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: logger as never, logLevel: vega.Warn });
  const svg = await view.toSVG();
  const items = new Map<string, unknown[]>();
  walk((view.scenegraph() as unknown as { root: SceneNode }).root, items);
  return { svg, items, warnings, view };
}

/** Items of every mark whose name starts with `prefix`. */
export function itemsOf(rendered: Rendered, prefix: string): unknown[] {
  return [...rendered.items.entries()].filter(([name]) => name.startsWith(prefix)).flatMap(([, items]) => items);
}
