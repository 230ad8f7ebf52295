/**
 * .ci/run tests a change as a new user would: the README's test line, word for word (setup with
 * --tests, then npm test), and the README names the inner loop's command.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8');
const ci = readFileSync('.ci/run', 'utf8');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
/** The README's first two lines of code: the bench command and the test command. */
const [bench, test] = /```sh\n(.*)\n(.*)\n/.exec(readme)!.slice(1).map((line) => line.replace(/\s+#.*$/, ''));

describe('.ci/run and the README', () => {
  it("the README opens with the bench command and the test command; the bench user's setup builds no Kubernetes", () => {
    expect(bench).toBe('bash scripts/setup.sh && npm run bench');
    expect(test).toBe('bash scripts/setup.sh --tests && npm test');
  });

  it("runs the README's test command: its setup as the setup stage, then npm test", () => {
    const [setup, tests] = test!.split(' && ');
    expect(ci).toContain(`\nstage setup ${setup}\n`);
    expect(ci).toMatch(new RegExp(`\\ntests\\(\\) \\{\\n(?:.*\\n)*?\\s+${tests} `));
    expect(ci.indexOf(`stage setup ${setup}`)).toBeLessThan(ci.indexOf('stage tests tests'));
  });

  it('names npm run test:quick, a script of package.json', () => {
    expect(pkg.scripts['test:quick']).toBeDefined();
    expect(readme).toContain('`npm run test:quick`');
  });
});
