/**
 * The fog provider must run the proxy code users run: the faas-provider it is built on equals
 * the one the pinned chart's faas-netes is built on, and that chart is the one the kube target
 * installs. A moved chart pin without the matching faas-provider fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readPins } from '../../../harness/openfaas/binaries/pins.ts';
import { CHART_VERSION } from '../../../harness/openfaas/settings.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const pins = readPins();

describe('OpenFaaS pins', () => {
  it('pins the chart the kube target installs', () => {
    const sizes = parse(readFileSync(`${REPO}clusters/sizes.yaml`, 'utf8')) as { openfaas: { chartVersion: string } };
    expect(pins.chart.version).toBe(sizes.openfaas.chartVersion);
    expect(pins.chart.version).toBe(CHART_VERSION);
  });

  it("builds the fog provider on the chart's faas-netes faas-provider", () => {
    expect(pins.faasProvider.module).toBe('github.com/openfaas/faas-provider');
    expect(pins.faasProvider.version).toBe(pins.chart.faasNetesFaasProvider);
    const goMod = readFileSync(`${REPO}harness/openfaas/provider/go.mod`, 'utf8');
    const required = /^\s*(?:require\s+)?github\.com\/openfaas\/faas-provider\s+(\S+)/m.exec(goMod)?.[1];
    expect(required).toBe(pins.chart.faasNetesFaasProvider);
  });
});
