/**
 * K3s writes a kubeconfig for 127.0.0.1 with every name set to "default". The host needs the
 * server's real address, and distinct names so the file can be merged into ~/.kube/config
 * next to other clusters without clobbering them.
 */
import { parse, stringify } from 'yaml';
import { deployError } from '../harness/errors.ts';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export function rewriteKubeconfig(text: string, options: { serverIp: string; name: string }): string {
  const doc = parse(text) as Record<string, unknown> | null;
  const clusters = doc?.clusters as Named<{ server?: string }>[] | undefined;
  if (!doc || !Array.isArray(clusters) || clusters.length !== 1 || typeof clusters[0]?.cluster?.server !== 'string') {
    throw deployError('the kubeconfig K3s wrote on the server has no single cluster entry; check /etc/rancher/k3s/k3s.yaml on the server');
  }
  const server = new URL(clusters[0].cluster.server);
  server.hostname = options.serverIp;
  clusters[0].cluster.server = server.toString().replace(/\/$/, '');
  const oldCluster = clusters[0].name;
  clusters[0].name = options.name;
  const users = (doc.users as Named<unknown>[] | undefined) ?? [];
  const userNames = new Map(users.map((u) => [u.name, options.name]));
  for (const u of users) u.name = options.name;
  const contexts = (doc.contexts as Named<{ cluster?: string; user?: string }>[] | undefined) ?? [];
  for (const c of contexts) {
    c.name = options.name;
    if (c.context) {
      if (c.context.cluster === oldCluster) c.context.cluster = options.name;
      if (c.context.user !== undefined && userNames.has(c.context.user)) c.context.user = options.name;
    }
  }
  doc['current-context'] = options.name;
  return stringify(doc);
}
