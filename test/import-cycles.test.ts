/**
 * No import circle in harness/ or clusters/: a circle makes the order in which ES modules run
 * depend on which file is imported first (a `const` read before its module ran throws), and it
 * tangles two concerns that should have a third file between them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCycles } from './helpers/import-cycles.ts';
import { tempDir } from './helpers/temp.ts';

const ROOT = join(import.meta.dirname, '..');

describe('import circles', () => {
  it('harness/ and clusters/ have none', () => {
    expect(importCycles(ROOT, ['harness', 'clusters'])).toEqual([]);
  });

  const dir = tempDir('fogbench-cycles-');
  const tree = (files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  };

  it('finds a circle through a type-only import, a re-export or a lazy import, and names its files', () => {
    tree({
      'a/registry.ts': "import { kube } from './kube/cli.ts';\nexport const all = [kube];\n",
      'a/kube/cli.ts': "import type { Definition } from '../registry.ts';\nexport const kube = 1;\n",
      'b/one.ts': "export * from './two.ts';\n",
      'b/two.ts': "export const two = async () => (await import('./three.ts')).three;\n",
      'b/three.ts': "import { two } from './one.ts';\nexport const three = two;\n",
      // Not circles: a specifier in a comment or a string, a package, a file importing a sibling.
      'c/x.ts': "// import { y } from './y.ts';\nexport const s = \"from './y.ts'\";\nimport { z } from './z.ts';\nimport ts from 'typescript';\n",
      'c/y.ts': "import { s } from './x.ts';\nexport const y = s;\n",
      'c/z.ts': 'export const z = 1;\n',
    });
    expect(importCycles(dir, ['a', 'b', 'c'])).toEqual([
      'a/kube/cli.ts → a/registry.ts → a/kube/cli.ts',
      'b/one.ts → b/two.ts → b/three.ts → b/one.ts',
    ]);
  });
});
