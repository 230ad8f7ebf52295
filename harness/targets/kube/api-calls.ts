/** Small helpers around client-node calls: idempotent deletes and readable API errors. */
import type { KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';

export async function deleteQuietly(objects: KubernetesObjectApi, spec: KubernetesObject): Promise<void> {
  try {
    await objects.delete(spec, undefined, undefined, undefined, undefined, 'Background');
  } catch (error) {
    if ((error as { code?: number }).code !== 404) throw deployError(`deleting ${spec.kind} ${spec.metadata?.name} failed: ${apiMessage(error)}`, error);
  }
}

export function apiMessage(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // keep the string
    }
  }
  const message = (body as { message?: string } | undefined)?.message;
  return `${e.code ? `HTTP ${e.code}: ` : ''}${message ?? e.message?.split('\n')[0] ?? String(error)}`;
}
