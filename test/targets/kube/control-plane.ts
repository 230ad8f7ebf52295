/**
 * A REAL Kubernetes control plane for tests, on 127.0.0.1 only: etcd (Debian's etcd-server),
 * kube-apiserver, kube-scheduler and kube-controller-manager built from k8s.io/kubernetes by
 * scripts/build-kube-control-plane.sh before the tests start (test/helpers/prerequisites.ts), and
 * kwok for nodes (labelled as K3s labels its nodes) whose pods become Ready without running
 * containers. Only what a kubelet would do is
 * simulated; validation, server-side apply, scheduling, Deployments → ReplicaSets → pods,
 * garbage collection, watches and authentication are the real thing.
 *
 * Safety: every listener binds 127.0.0.1; nodes advertise 127.0.0.1 as their address, and the
 * API server is told to reach kubelets by InternalIP only, so nothing resolves a node name or
 * dials outside this machine. Pods get kwok's fake pod IPs, which nothing here dials (clock
 * probes are off in these tests). Every process is started here and stopped by its PID.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { CONTROL_PLANE, notBuilt } from '../../helpers/prerequisites.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KUBERNETES_VERSION = 'v1.37.2';
export const KWOK_VERSION = 'v0.8.0';
const BUILD_DIR = join(ROOT, 'build', 'kube-control-plane');
const KUBE_BIN = join(BUILD_DIR, `kubernetes-${KUBERNETES_VERSION}`);
const KWOK_DIR = join(BUILD_DIR, `kwok-${KWOK_VERSION}`);
/** A registry (Docker's distribution) and crane, for the image tests. */
export const REGISTRY_TOOLS_DIR = join(BUILD_DIR, 'registry-v3.0.0-crane-v0.20.6');

export interface TestNode {
  name: string;
  /** fogbench.io/role, as `cluster up` labels K3s nodes. */
  role: 'core' | 'worker';
  /** Allocatable CPU (cores) and memory; default a t2.small agent as K3s reports it. */
  cpu?: string;
  memory?: string;
  /** A dedicated K3s server: CriticalAddonsOnly=true:NoExecute. */
  tainted?: boolean;
}

export interface ControlPlane {
  /** https://127.0.0.1:PORT */
  server: string;
  token: string;
  /** A kubeconfig for this API server; another token makes one the server rejects. */
  kubeconfig(token?: string): string;
  kubeConfig(): KubeConfig;
  addNodes(nodes: readonly TestNode[]): Promise<void>;
  /** Last lines each component wrote, for failure messages. */
  logs(): Record<string, string>;
  stop(): Promise<void>;
}

function which(command: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Null when the control plane can run here, else why not. Never builds: vitest's global setup
 * has built the binaries before this file was imported (test/helpers/prerequisites.ts).
 */
export function controlPlaneUnavailable(): string | null {
  if (!which('etcd')) return 'etcd is not installed (Debian: apt-get install -y etcd-server)';
  return notBuilt(CONTROL_PLANE);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

interface Proc {
  name: string;
  child: ChildProcess;
  tail: string;
  exited: Promise<void>;
}

const started = new Set<ChildProcess>();
process.once('exit', () => {
  // The test process is going away without stop(): take our children with it.
  for (const child of started) if (child.pid && child.exitCode === null) child.kill('SIGKILL');
});

function run(name: string, command: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  started.add(child);
  const proc: Proc = { name, child, tail: '', exited: new Promise((r) => child.once('exit', () => r())) };
  const keep = (chunk: Buffer) => {
    proc.tail = (proc.tail + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  void proc.exited.then(() => started.delete(child));
  return proc;
}

async function until(what: string, check: () => Promise<boolean>, procs: Proc[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}) while waiting for ${what}: ${dead.tail.slice(-1500)}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopAll(procs: Proc[]): Promise<void> {
  for (const p of [...procs].reverse()) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
    p.child.kill('SIGTERM');
    const killed = await Promise.race([p.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!killed) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  }
}

/** Starts etcd, the API server, scheduler, controller manager and kwok; resolves when the API server is ready. */
export async function startControlPlane(): Promise<ControlPlane> {
  const dir = await mkdtemp(join(tmpdir(), 'fogbench-control-plane-'));
  const procs: Proc[] = [];
  const token = randomBytes(24).toString('hex');
  try {
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    procs.push(
      run('etcd', 'etcd', [
        '--name', 'fogbench-test',
        '--data-dir', join(dir, 'etcd'),
        '--listen-client-urls', etcdUrl,
        '--advertise-client-urls', etcdUrl,
        '--listen-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`,
        '--initial-cluster', `fogbench-test=http://127.0.0.1:${peerPort}`,
        '--logger', 'zap',
        '--log-level', 'warn',
      ]),
    );
    await until('etcd', async () => (await fetch(`${etcdUrl}/health`)).ok, procs, 30_000);

    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    await writeFile(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
    await writeFile(join(dir, 'sa.pub'), publicKey);
    // One static token, in system:masters (cluster-admin), for the test and every component.
    await writeFile(join(dir, 'tokens.csv'), `${token},fogbench-admin,fogbench-admin,"system:masters"\n`, { mode: 0o600 });
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = (t = token) =>
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        // The API server signs its own serving certificate (--cert-dir); tests skip verification.
        `- name: test\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true`,
        'users:',
        `- name: test\n  user:\n    token: ${t}`,
        'contexts:',
        '- name: test\n  context:\n    cluster: test\n    user: test',
        'current-context: test',
        '',
      ].join('\n');
    const kubeconfigFile = join(dir, 'kubeconfig.yaml');
    await writeFile(kubeconfigFile, kubeconfig(), { mode: 0o600 });

    procs.push(
      run('kube-apiserver', join(KUBE_BIN, 'kube-apiserver'), [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.pub')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        '--service-cluster-ip-range=10.43.0.0/16',
        // Reach kubelets (logs) by the node's InternalIP only: never resolve a node's name.
        '--kubelet-preferred-address-types=InternalIP',
        // No Endpoints object for the API server itself: it would point at 127.0.0.1.
        '--endpoint-reconciler-type=none',
        // Streaming lists (watch-list) need etcd's watch progress requests, which etcd 3.4 lacks:
        // without this, every client's informer (kwok's, the controllers') keeps retrying them and
        // falls behind by seconds. Off, they list and watch as before.
        '--feature-gates=WatchList=false',
        '--profiling=false',
        '--v=0',
      ]),
    );
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig());
    await until(
      'kube-apiserver /readyz',
      async () => (await getStatus(`${server}/readyz`, token)) === 200,
      procs,
      90_000,
    );

    procs.push(
      run('kube-scheduler', join(KUBE_BIN, 'kube-scheduler'), [
        `--kubeconfig=${kubeconfigFile}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
      ]),
      run('kube-controller-manager', join(KUBE_BIN, 'kube-controller-manager'), [
        `--kubeconfig=${kubeconfigFile}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        '--secure-port=0',
        `--service-account-private-key-file=${join(dir, 'sa.key')}`,
        `--root-ca-file=${join(dir, 'apiserver-certs', 'apiserver.crt')}`,
        '--use-service-account-credentials=false',
      ]),
    );
    const stages = (await readdir(join(KWOK_DIR, 'stages'))).filter((f) => f.endsWith('.yaml')).map((f) => `--config=${join(KWOK_DIR, 'stages', f)}`);
    procs.push(
      run('kwok', join(KWOK_DIR, 'kwok'), [
        `--kubeconfig=${kubeconfigFile}`,
        '--manage-all-nodes=false',
        '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
        '--node-ip=127.0.0.1',
        // Heartbeats through node leases, as a kubelet does; said explicitly, since the default is
        // not applied when --config holds only stages (the nodes would turn Unknown after ~50 s).
        '--node-lease-duration-seconds=40',
        ...stages,
      ]),
    );
    // The default ServiceAccount exists once the controller manager runs: pods are admitted from then on.
    const core = kc.makeApiClient(CoreV1Api);
    await until('the default ServiceAccount', async () => Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })), procs, 60_000);

    let stopped = false;
    return {
      server,
      token,
      kubeconfig,
      kubeConfig: () => kc,
      async addNodes(nodes) {
        for (const node of nodes) await core.createNode({ body: nodeObject(node) });
        await until(
          `${nodes.length} kwok nodes Ready`,
          async () => {
            const list = await core.listNode();
            return nodes.every((n) => list.items.find((x) => x.metadata?.name === n.name)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
          },
          procs,
          60_000,
        );
      },
      logs: () => Object.fromEntries(procs.map((p) => [p.name, p.tail.slice(-2000)])),
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopAll(procs);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopAll(procs);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A node as K3s registers one (labels, addresses, t2.small capacity), managed by kwok. */
function nodeObject(node: TestNode): V1Node {
  const cpu = node.cpu ?? '1';
  const memory = node.memory ?? '1927156Ki';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/hostname': node.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': 'k3s',
        'fogbench.io/role': node.role,
        ...(node.role === 'core' ? { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } : {}),
        type: 'kwok',
      },
    },
    spec: node.tainted ? { taints: [{ key: 'CriticalAddonsOnly', value: 'true', effect: 'NoExecute' }] } : {},
    status: {
      allocatable: { cpu, memory, pods: '110' },
      capacity: { cpu, memory, pods: '110' },
      // Both, as a kubelet reports them (kwok's node stage rewrites the list when Hostname is missing).
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: node.name },
      ],
      nodeInfo: {
        architecture: 'amd64',
        kubeletVersion: `${KUBERNETES_VERSION}+kwok`,
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        osImage: 'kwok',
        kernelVersion: '',
        containerRuntimeVersion: '',
        machineID: '',
        systemUUID: '',
        bootID: '',
      },
    },
  };
}

/** GET with the token, skipping TLS verification (the API server's self-signed certificate). */
function getStatus(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpsGet(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}
