/** Each target owns its command-line options and maintenance commands (harness/targets/registry.ts). */
import { describe, expect, it } from 'vitest';
import { FogbenchError } from '../../harness/errors.ts';
import { createTargetFromCli, requestedMaintenance, TARGET_DEFINITIONS, targetCliOptions } from '../../harness/targets/registry.ts';

describe('target registry', () => {
  it('lists every target\'s own options, each said to be that target\'s', () => {
    const options = targetCliOptions();
    const of = (target: string) => options.filter((o) => o.target === target).map((o) => o.flags.split(' ')[0]);
    expect(of('fog')).toEqual(['--topology', '--cleanup']);
    expect(of('kube')).toEqual(['--kubeconfig', '--context', '--registry', '--keep']);
    expect(of('loopback')).toEqual([]);
    expect(options.find((o) => o.key === 'cleanup')).toMatchObject({ maintenance: true, description: expect.stringMatching(/^fog: remove what a crashed fog run left/) });
    expect(options.find((o) => o.key === 'registry')!.description).toMatch(/^kube: .*allows anonymous pulls/);
    expect(new Set(options.map((o) => o.key)).size).toBe(options.length);
  });

  it('finds the maintenance command asked for', () => {
    expect(requestedMaintenance({ cleanup: true })?.target).toBe('fog');
    expect(requestedMaintenance({ cleanup: false, topology: 'x' })).toBeUndefined();
  });

  it('gives a target only its own options and refuses another target\'s, naming whose it is', async () => {
    const error = await createTargetFromCli('loopback', { runId: 'r' }, { kubeconfig: '/k' }).then(() => undefined, (e: unknown) => e as FogbenchError);
    expect(error).toBeInstanceOf(FogbenchError);
    expect(error!.message).toBe('--kubeconfig only applies to --target kube');
    await expect(createTargetFromCli('kube', { runId: 'r' }, { topology: 'x.yaml' })).rejects.toThrow('--topology only applies to --target fog');
    await expect(createTargetFromCli('moon', { runId: 'r' }, {})).rejects.toThrow('unknown target "moon" (available: fog, loopback, kube)');
    const kube = await createTargetFromCli('kube', { runId: 'r' }, { kubeconfig: '/nowhere/kubeconfig.yaml', keep: false });
    expect(kube.kind).toBe('kube');
    expect(kube.capabilities.functions).toBeDefined();
    expect((await createTargetFromCli('loopback', { runId: 'r' }, {})).kind).toBe('loopback');
    expect(Object.keys(TARGET_DEFINITIONS)).toEqual(['fog', 'loopback', 'kube']);
  });
});
