/**
 * The files `report --serve` may serve: those the report writer makes and the run data they
 * describe, nothing else of the folder the index sits in (which may be a home folder).
 * Paths are relative to the served root and "/"-separated.
 */

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A run folder's own files: its page, CSV tables, vendored scripts, result files and verdicts;
 * a sweep folder's the same, its sweep.json, and each point's (a run folder under points/).
 */
const RUN_FILES = String.raw`[^/]+/(?:points/[^/]+/)?(?:index\.html|csv/[^/]+\.csv|vendor/[^/]+\.js|manifest\.json|verdicts\.json|profiles/[^/]+\.json|spans/[^/]+\.ndjson|sweep\.json|point\.json)`;

/**
 * `indexFile`: the index page; `runsDir`: the runs folder; both relative to the served root.
 * A runs folder outside the root (starting with ..) contributes nothing.
 */
export function reportFileFilter(indexFile: string, runsDir: string): (relativePath: string) => boolean {
  const index = indexFile.split(/[\\/]/).join('/');
  const indexDir = index.includes('/') ? index.slice(0, index.lastIndexOf('/') + 1) : '';
  const runs = runsDir.split(/[\\/]/).join('/');
  const patterns = [`${escape(index)}`, `${escape(indexDir)}vendor/[^/]+\\.js`];
  if (!runs.startsWith('..') && runs !== '') patterns.push(`${escape(runs)}/${RUN_FILES}`);
  if (runs === '') patterns.push(RUN_FILES);
  const allowed = new RegExp(`^(?:${patterns.join('|')})$`);
  return (relativePath) => allowed.test(relativePath);
}
