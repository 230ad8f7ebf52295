/**
 * The local cluster's certificates, made with openssl as kubeadm lays them out: a cluster CA
 * for the API server, the kubelets and every client; a front-proxy CA for the aggregation
 * layer (metrics-server); a service-account key pair. Each identity is the user and groups
 * Kubernetes' default RBAC and the Node authorizer expect (system:node:<name> in system:nodes,
 * system:kube-proxy, system:kube-controller-manager, ...). Keys are EC P-256, files 0600.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { environmentError } from '../../harness/errors.ts';
import { firstLine, type CommandRunner } from '../run-command.ts';
import { pkiFiles } from './layout.ts';
import type { LocalClusterPlan } from './plan.ts';

export interface CertificateSpec {
  name: string;
  commonName: string;
  organization?: string;
  signer: 'ca' | 'front-proxy-ca';
  usage: 'server' | 'client' | 'server+client';
  ips?: string[];
  dnsNames?: string[];
}

export const ADMIN_USER = 'fogbench-admin';
/** The API server's identity towards kubelets (logs, exec); bound to system:kubelet-api-admin. */
export const APISERVER_KUBELET_CLIENT = 'kube-apiserver-kubelet-client';
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

const VALID_DAYS = 3650;

/** Every certificate the cluster needs, from the plan. */
export function certificateSpecs(plan: LocalClusterPlan): CertificateSpec[] {
  const specs: CertificateSpec[] = [
    {
      name: 'apiserver',
      commonName: 'kube-apiserver',
      signer: 'ca',
      usage: 'server',
      ips: [plan.hostAddress, plan.apiServiceIp, '127.0.0.1'],
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.cluster.local`, 'localhost'],
    },
    { name: APISERVER_KUBELET_CLIENT, commonName: APISERVER_KUBELET_CLIENT, signer: 'ca', usage: 'client' },
    { name: FRONT_PROXY_CLIENT, commonName: FRONT_PROXY_CLIENT, signer: 'front-proxy-ca', usage: 'client' },
    { name: 'admin', commonName: ADMIN_USER, organization: 'system:masters', signer: 'ca', usage: 'client' },
    { name: 'controller-manager', commonName: 'system:kube-controller-manager', signer: 'ca', usage: 'client' },
    { name: 'scheduler', commonName: 'system:kube-scheduler', signer: 'ca', usage: 'client' },
    { name: 'kube-proxy', commonName: 'system:kube-proxy', signer: 'ca', usage: 'client' },
  ];
  for (const node of plan.nodes) {
    specs.push({ name: `kubelet-${node.name}`, commonName: `system:node:${node.name}`, organization: 'system:nodes', signer: 'ca', usage: 'client' });
    specs.push({ name: `kubelet-${node.name}-serving`, commonName: node.name, signer: 'ca', usage: 'server', ips: [node.address], dnsNames: [node.name] });
  }
  return specs;
}

/** The openssl extension section of one certificate. */
export function extensionsOf(spec: CertificateSpec): string {
  const usage = { server: 'serverAuth', client: 'clientAuth', 'server+client': 'serverAuth,clientAuth' }[spec.usage];
  const names = [...(spec.ips ?? []).map((ip) => `IP:${ip}`), ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`)];
  return [
    '[v3]',
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${usage}`,
    ...(names.length ? [`subjectAltName = ${names.join(',')}`] : []),
    '',
  ].join('\n');
}

export function subjectOf(spec: Pick<CertificateSpec, 'commonName' | 'organization'>): string {
  const escape = (v: string) => v.replace(/[/\\]/g, (c) => `\\${c}`);
  return `${spec.organization ? `/O=${escape(spec.organization)}` : ''}/CN=${escape(spec.commonName)}`;
}

/** Makes the CAs, the service-account keys and every certificate of the plan into `dir`. */
export async function makePki(dir: string, plan: LocalClusterPlan, run: CommandRunner): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const openssl = async (args: string[], what: string) => {
    const result = await run('openssl', args);
    if (result.exitCode !== 0) throw environmentError(`openssl failed ${what}: ${firstLine(result)}`);
  };
  const newKey = async (file: string) => {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], `making ${file}`);
    await chmod(file, 0o600);
  };
  for (const ca of ['ca', 'front-proxy-ca'] as const) {
    const files = pkiFiles(dir, ca);
    await newKey(files.key);
    await openssl(
      [
        'req', '-x509', '-new', '-key', files.key, '-subj', `/CN=fogbench-${plan.cluster}-${ca}`, '-days', String(VALID_DAYS), '-out', files.cert,
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      ],
      `making the ${ca}`,
    );
  }
  const serviceAccount = join(dir, 'service-account.key');
  await newKey(serviceAccount);
  await openssl(['pkey', '-in', serviceAccount, '-pubout', '-out', join(dir, 'service-account.pub')], 'writing the service-account public key');
  for (const spec of certificateSpecs(plan)) {
    const files = pkiFiles(dir, spec.name);
    const signer = pkiFiles(dir, spec.signer);
    const request = join(dir, `${spec.name}.csr`);
    const extensions = join(dir, `${spec.name}.ext`);
    await newKey(files.key);
    await openssl(['req', '-new', '-key', files.key, '-subj', subjectOf(spec), '-out', request], `making the request of ${spec.name}`);
    await writeFile(extensions, extensionsOf(spec));
    await openssl(
      ['x509', '-req', '-in', request, '-CA', signer.cert, '-CAkey', signer.key, '-set_serial', `0x${randomSerial()}`, '-days', String(VALID_DAYS), '-extfile', extensions, '-extensions', 'v3', '-out', files.cert],
      `signing ${spec.name}`,
    );
    await rm(request);
    await rm(extensions);
  }
}

function randomSerial(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('').replace(/^[89a-f]/, '1');
}
