/**
 * Server-side apply with strict field validation, as `kubectl apply --server-side` does it:
 * the manifest goes to the API server exactly as rendered (application/apply-patch+yaml; JSON
 * is YAML), with fieldManager=fogbench, force=true and fieldValidation=Strict, so an unknown or
 * duplicated field is refused by the server itself (400) instead of being dropped with a
 * warning. client-node's KubernetesObjectApi.patch is not used for this: it re-serialises the
 * object through its generated models first, which silently drops every field they do not know.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { deployError } from '../../errors.ts';
import { kubeRequest } from './connection.ts';

export const FIELD_MANAGER = 'fogbench';

/** Plural resource names of the kinds fogbench applies. */
const RESOURCES: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  Namespace: { group: 'api/v1', plural: 'namespaces', namespaced: false },
  Service: { group: 'api/v1', plural: 'services', namespaced: true },
  ConfigMap: { group: 'api/v1', plural: 'configmaps', namespaced: true },
  Pod: { group: 'api/v1', plural: 'pods', namespaced: true },
  Deployment: { group: 'apis/apps/v1', plural: 'deployments', namespaced: true },
  Secret: { group: 'api/v1', plural: 'secrets', namespaced: true },
  ServiceAccount: { group: 'api/v1', plural: 'serviceaccounts', namespaced: true },
  Role: { group: 'apis/rbac.authorization.k8s.io/v1', plural: 'roles', namespaced: true },
  RoleBinding: { group: 'apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings', namespaced: true },
  ClusterRole: { group: 'apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { group: 'apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', namespaced: false },
  APIService: { group: 'apis/apiregistration.k8s.io/v1', plural: 'apiservices', namespaced: false },
};

export function resourcePath(manifest: KubernetesObject): string {
  const kind = manifest.kind ?? '';
  const resource = RESOURCES[kind];
  const name = manifest.metadata?.name;
  if (!resource || !name) throw new Error(`fogbench does not apply ${kind || 'objects without a kind'}${name ? ` (${name})` : ''}`);
  const expected = resource.group.replace(/^apis?\//, '');
  if ((manifest.apiVersion ?? '') !== expected) throw new Error(`${kind} ${name} must have apiVersion ${expected}, not ${manifest.apiVersion}`);
  const namespace = manifest.metadata?.namespace;
  if (resource.namespaced && !namespace) throw new Error(`${kind} ${name} needs a namespace`);
  const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace!)}` : '';
  return `/${resource.group}${scope}/${resource.plural}/${encodeURIComponent(name)}`;
}

/** Applies one object; returns what the server stored. Failures are one-line deploy errors. */
export async function serverSideApply(kc: KubeConfig, manifest: KubernetesObject, options: { timeoutMs?: number } = {}): Promise<KubernetesObject> {
  const what = `${manifest.kind} ${manifest.metadata?.namespace ? `${manifest.metadata.namespace}/` : ''}${manifest.metadata?.name}`;
  const query = `?fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
  let response;
  try {
    response = await kubeRequest(kc, `${resourcePath(manifest)}${query}`, {
      method: 'PATCH',
      body: JSON.stringify(manifest),
      contentType: 'application/apply-patch+yaml',
      timeoutMs: options.timeoutMs ?? 30_000,
    });
  } catch (error) {
    throw deployError(`applying ${what} failed: ${(error as Error).message}`, error);
  }
  if (response.status < 200 || response.status >= 300) {
    let message = response.body.trim();
    try {
      message = (JSON.parse(response.body) as { message?: string }).message ?? message;
    } catch {
      // not a Status object: keep the text
    }
    throw deployError(`applying ${what} failed: HTTP ${response.status}: ${message.split('\n')[0]?.slice(0, 300)}`);
  }
  return JSON.parse(response.body) as KubernetesObject;
}
