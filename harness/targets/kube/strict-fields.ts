/**
 * Rejects fields Kubernetes does not know. The API server silently drops unknown fields of a
 * server-side apply (with only a warning), so a typo such as `imagePullPolicey` would pass
 * unnoticed; this walks a manifest against the model type maps @kubernetes/client-node
 * generates from the OpenAPI spec and lists every path that is not in them.
 */
import * as k8s from '@kubernetes/client-node';

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): AttributeType[] };

const PRIMITIVES = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

/** Paths of unknown fields in `value` read as `typeName` (e.g. "V1Deployment"). */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  if (value === null || value === undefined) return [];
  const type = typeName.trim();
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return [`${path || '.'} (expected a list)`];
    return value.flatMap((item, i) => unknownFields(item, array[1] as string, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path || '.'} (expected a map)`];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => unknownFields(v, map[1] as string, `${path}.${k}`));
  }
  if (PRIMITIVES.has(type)) return [];
  const model = (k8s as unknown as Record<string, ModelClass | undefined>)[type];
  if (!model || typeof model.getAttributeTypeMap !== 'function') return []; // enums and aliases
  if (typeof value !== 'object' || Array.isArray(value)) return [`${path || '.'} (expected an object)`];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const childType = attributes.get(key);
    if (childType === undefined) problems.push(`${path}.${key}`);
    else problems.push(...unknownFields(child, childType, `${path}.${key}`));
  }
  return problems;
}

/** Model name for the kinds fogbench renders. */
export function modelTypeFor(manifest: { apiVersion?: string; kind?: string }): string {
  const version = (manifest.apiVersion ?? 'v1').split('/').pop() ?? 'v1';
  // "apps/v1" + Deployment -> V1Deployment; "v1beta1" -> V1beta1...
  return `V${version.slice(1)}${manifest.kind ?? ''}`;
}
