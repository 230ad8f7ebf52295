/**
 * A FAKE Kubernetes API server for tests: a real HTTP server speaking the subset of the API
 * that fogbench's kube target calls (discovery, server-side apply, pods, watches, logs, pod
 * proxy, deletes), with a simulated scheduler that turns each applied Deployment into one
 * Ready pod on the node its affinity names. No container runs; no test claims a cluster ran.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  authorization: string | undefined;
  body: string;
}

export interface FakeNode {
  name: string;
  role?: 'core' | 'worker';
  address: string;
  /** How far this node's clock is ahead of the real one, ms (answered by clock probes). */
  clockAheadMs?: number;
}

const DISCOVERY: Record<string, Json[]> = {
  '/api/v1': [
    { name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['get', 'patch', 'delete'] },
    { name: 'services', kind: 'Service', namespaced: true, verbs: ['get', 'patch', 'delete'] },
    { name: 'pods', kind: 'Pod', namespaced: true, verbs: ['get', 'list', 'create', 'delete', 'watch'] },
    { name: 'events', kind: 'Event', namespaced: true, verbs: ['list', 'watch'] },
  ],
  '/apis/apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get', 'patch', 'delete'] }],
};

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  /** Objects stored by "namespace/kind/name" (namespace "" for cluster-scoped). */
  readonly objects = new Map<string, Json>();
  readonly pods = new Map<string, Json>();
  /** Requests must carry this bearer token; anything else gets 401 (an expired credential). */
  token = 'fake-token';
  private server: Server | undefined;
  private watchers: { namespace: string; resource: string; res: ServerResponse }[] = [];
  private logStreams = new Map<string, Set<ServerResponse>>();
  private logs = new Map<string, string[]>();
  private nextNodePort = 30100;
  /** When set, the metrics API answers with this usage for every container (metrics-server's format). */
  podMetrics: { cpu: string; memory: string } | undefined;

  constructor(readonly nodes: FakeNode[]) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.watchers) w.res.end();
    for (const set of this.logStreams.values()) for (const res of set) res.end();
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  kubeconfig(server: string, token = this.token): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      // client-node refuses plain HTTP unless TLS checks are off; the fake speaks plain HTTP.
      `- name: fake\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
      'users:',
      `- name: fake\n  user:\n    token: ${token}`,
      'contexts:',
      '- name: fake\n  context:\n    cluster: fake\n    user: fake',
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** Stores an object as if something else (helm, an admin) had created it. */
  put(namespace: string, kind: string, name: string, object: Json): void {
    this.objects.set(`${namespace}/${kind}/${name}`, { metadata: { name, ...(namespace ? { namespace } : {}) }, ...object });
  }

  /** Appends a line to a pod's log (streamed to followers with a timestamp prefix). */
  log(pod: string, text: string): void {
    const line = `${new Date().toISOString().replace('Z', '000000Z')} ${text}`;
    this.logs.set(pod, [...(this.logs.get(pod) ?? []), line]);
    for (const res of this.logStreams.get(pod) ?? []) res.write(`${line}\n`);
  }

  /** Ends every open log stream of a pod, as a container restart does. */
  endLogStreams(pod: string): void {
    for (const res of this.logStreams.get(pod) ?? []) res.end();
    this.logStreams.delete(pod);
  }

  /** Changes a pod and tells the watchers (MODIFIED). */
  updatePod(name: string, change: (pod: Json) => void): void {
    const pod = [...this.pods.values()].find((p) => p.metadata.name === name);
    if (!pod) throw new Error(`fake: no pod ${name}`);
    change(pod);
    this.notify(pod.metadata.namespace, 'pods', 'MODIFIED', pod);
  }

  /** Publishes a core/v1 Event to the event watchers. */
  emitEvent(namespace: string, event: Json): void {
    this.notify(namespace, 'events', 'ADDED', { apiVersion: 'v1', kind: 'Event', metadata: { namespace, uid: `uid-${Math.random()}`, ...(event.metadata ?? {}) }, ...event });
  }

  podsOf(unit: string): Json[] {
    return [...this.pods.values()].filter((p) => p.metadata.labels?.['fogbench.io/unit'] === unit);
  }

  private notify(namespace: string, resource: string, type: string, object: Json): void {
    for (const w of this.watchers) if (w.namespace === namespace && w.resource === resource) w.res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers['content-type'],
      authorization: req.headers.authorization,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(record);
    const send = (status: number, body: Json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFound = () => send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${url.pathname} not found` });
    if (record.authorization !== `Bearer ${this.token}`) {
      send(401, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401, message: 'Unauthorized' });
      return;
    }
    const p = url.pathname;
    if (p === '/version') return send(200, { major: '1', minor: '30', gitVersion: 'v1.30.6+k3s1-fake' });
    if (DISCOVERY[p]) return send(200, { kind: 'APIResourceList', groupVersion: p.replace(/^\/apis?\//, ''), resources: DISCOVERY[p] });
    if (p === '/api/v1/nodes') return send(200, { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: this.nodes.map((n) => nodeObject(n)) });
    const metrics = /^\/apis\/metrics\.k8s\.io\/v1beta1\/namespaces\/([^/]+)\/pods$/.exec(p);
    if (metrics && this.podMetrics) {
      const items = [...this.pods.values()]
        .filter((pod) => pod.metadata.namespace === metrics[1])
        .map((pod) => ({ metadata: { name: pod.metadata.name, namespace: metrics[1] }, timestamp: new Date().toISOString(), window: '15s', containers: pod.spec.containers.map((c: Json) => ({ name: c.name, usage: this.podMetrics! })) }));
      return send(200, { kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', items });
    }
    if (p.startsWith('/apis/metrics.k8s.io/')) return notFound();

    let m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p);
    if (m) return this.object(record, send, notFound, '', 'Namespace', m[1]!);
    m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(p);
    if (m) return this.object(record, send, notFound, m[1]!, 'Service', m[2]!);
    m = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(p);
    if (m) return this.object(record, send, notFound, m[1]!, 'Deployment', m[2]!);
    m = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(p);
    if (m) return this.object(record, send, notFound, m[1]!, 'Secret', m[2]!);
    m = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(p);
    if (m) return this.object(record, send, notFound, '', 'CustomResourceDefinition', m[1]!);

    m = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|events)$/.exec(p);
    if (m && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json' });
      this.watchers.push({ namespace: m[1]!, resource: m[2]!, res });
      if (m[2] === 'pods') for (const pod of this.pods.values()) if (pod.metadata.namespace === m[1]) res.write(`${JSON.stringify({ type: 'ADDED', object: pod })}\n`);
      req.on('close', () => (this.watchers = this.watchers.filter((w) => w.res !== res)));
      return;
    }
    if (m && m[2] === 'pods' && record.method === 'GET') {
      const items = [...this.pods.values()].filter((pod) => pod.metadata.namespace === m![1] && matchesSelector(pod, url.searchParams.get('labelSelector')));
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
    }
    if (m && m[2] === 'pods' && record.method === 'POST') {
      const pod = JSON.parse(record.body) as Json;
      this.addPod(m[1]!, pod, pod.spec.nodeName);
      return send(201, pod);
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/:]+):(\d+)\/proxy\/?$/.exec(p);
    if (m) {
      const pod = this.pods.get(`${m[1]}/${m[2]}`);
      if (!pod) return notFound();
      const node = this.nodes.find((n) => n.name === pod.spec.nodeName);
      return send(200, { now: performance.timeOrigin + performance.now() + (node?.clockAheadMs ?? 0) });
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(p);
    if (m) {
      const name = m[2]!;
      if (!this.pods.has(`${m[1]}/${name}`)) return notFound();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const since = url.searchParams.get('sinceTime');
      for (const line of this.logs.get(name) ?? []) if (!since || line.slice(0, line.indexOf(' ')) >= since) res.write(`${line}\n`);
      if (url.searchParams.get('follow') !== 'true') return void res.end();
      const set = this.logStreams.get(name) ?? new Set();
      set.add(res);
      this.logStreams.set(name, set);
      req.on('close', () => set.delete(res));
      return;
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(p);
    if (m) {
      const key = `${m[1]}/${m[2]}`;
      const pod = this.pods.get(key);
      if (!pod) return notFound();
      if (record.method === 'DELETE') {
        this.pods.delete(key);
        this.notify(m[1]!, 'pods', 'DELETED', pod);
      }
      return send(200, pod);
    }
    notFound();
  }

  private object(record: RecordedRequest, send: (s: number, b: Json) => void, notFound: () => void, namespace: string, kind: string, name: string): void {
    const key = `${namespace}/${kind}/${name}`;
    if (record.method === 'GET') return this.objects.has(key) ? send(200, this.objects.get(key)!) : notFound();
    if (record.method === 'DELETE') {
      if (!this.objects.has(key)) return notFound();
      this.objects.delete(key);
      if (kind === 'Deployment') for (const [k, pod] of this.pods) if (pod.metadata.labels?.['fogbench.io/unit'] === name && pod.metadata.namespace === namespace) {
        this.pods.delete(k);
        this.notify(namespace, 'pods', 'DELETED', pod);
      }
      if (kind === 'Namespace') for (const k of [...this.objects.keys()]) if (k.startsWith(`${name}/`)) this.objects.delete(k);
      return send(200, { kind: 'Status', status: 'Success' });
    }
    if (record.method === 'PATCH') {
      if (record.contentType !== 'application/apply-patch+yaml') return send(415, { kind: 'Status', code: 415, message: `fake only speaks server-side apply, not ${record.contentType}` });
      if (!record.query.get('fieldManager')) return send(422, { kind: 'Status', code: 422, message: 'fieldManager is required for apply' });
      const object = JSON.parse(record.body) as Json;
      if (kind === 'Service') for (const port of object.spec?.ports ?? []) port.nodePort ??= this.objects.get(key)?.spec?.ports?.[0]?.nodePort ?? this.nextNodePort++;
      this.objects.set(key, object);
      if (kind === 'Deployment' && this.podsOf(name).length === 0) this.schedule(namespace, object);
      return send(200, object);
    }
    send(405, { kind: 'Status', code: 405, message: 'method not allowed' });
  }

  /** The simulated scheduler and kubelet: one Ready pod per Deployment, on the node its affinity requires. */
  private schedule(namespace: string, deployment: Json): void {
    const template = deployment.spec.template;
    const terms = template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    const wanted = terms[0]?.matchFields?.find((f: Json) => f.key === 'metadata.name')?.values?.[0];
    const role = terms[0]?.matchExpressions?.find((e: Json) => e.key === 'fogbench.io/role')?.values?.[0];
    const node = wanted ?? this.nodes.find((n) => !role || n.role === role)?.name ?? this.nodes[0]!.name;
    this.addPod(namespace, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${deployment.metadata.name}-6d5f7c9b8-x1y2z`, labels: template.metadata.labels }, spec: template.spec }, node);
  }

  private addPod(namespace: string, pod: Json, node: string): void {
    pod.metadata.namespace = namespace;
    pod.spec.nodeName = node;
    pod.status = {
      phase: 'Running',
      conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }],
      containerStatuses: pod.spec.containers.map((c: Json) => ({ name: c.name, ready: true, restartCount: 0, image: c.image, imageID: '', state: { running: {} } })),
    };
    this.pods.set(`${namespace}/${pod.metadata.name}`, pod);
    this.notify(namespace, 'pods', 'ADDED', pod);
  }
}

function nodeObject(n: FakeNode): Json {
  return {
    metadata: { name: n.name, labels: n.role ? { 'fogbench.io/role': n.role } : {} },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [{ type: 'InternalIP', address: n.address }],
      capacity: { cpu: n.role === 'core' ? '2' : '1', memory: n.role === 'core' ? '4015852Ki' : '2015852Ki' },
      nodeInfo: { kubeletVersion: 'v1.30.6+k3s1', osImage: 'Ubuntu 22.04.5 LTS' },
    },
  };
}

/** Supports the two selector forms fogbench sends: "k=v" and "k in (a,b)". */
function matchesSelector(pod: Json, selector: string | null): boolean {
  if (!selector) return true;
  const labels = pod.metadata.labels ?? {};
  const set = /^(\S+) in \((.*)\)$/.exec(selector);
  if (set) return set[2]!.split(',').includes(labels[set[1]!]);
  const [key, value] = selector.split('=');
  return labels[key!] === value;
}
