/**
 * What a local cluster could leave on this host, looked at directly: namespaces, interfaces and
 * cgroups named by its prefix, mounts and processes that name its state folder or prefix, its
 * owner record, and the host's own iptables rules and kernel settings (which it must never
 * change). Compared before and after, for the tests' leftover checks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectCgroups } from '../../../harness/targets/local/cgroups.ts';

export interface HostObjects {
  namespaces: string[];
  interfaces: string[];
  cgroups: string[];
  mounts: string[];
  processes: string[];
  ownerRecord: boolean;
}

const text = (command: string, args: string[]) => {
  try {
    return execFileSync(command, args, { encoding: 'utf8' });
  } catch {
    return '';
  }
};

/** Everything of the cluster whose objects are named `root` and whose files are in `stateDir`. */
export function clusterObjects(root: string, stateDir: string, ownerDir: string): HostObjects {
  const named = (name: string) => name.startsWith(root);
  const cgroups = detectCgroups().hierarchies.flatMap((h) => (existsSync(join(h, root)) ? [join(h, root)] : []));
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        return '';
      }
    })();
    if (pid !== String(process.pid) && (cmdline.includes(stateDir) || cmdline.includes(root))) processes.push(`${pid} ${cmdline.slice(0, 120)}`);
  }
  return {
    namespaces: text('ip', ['netns', 'list']).split('\n').map((l) => l.split(' ')[0] ?? '').filter(named),
    interfaces: text('ip', ['-o', 'link']).split('\n').map((l) => (l.split(': ')[1] ?? '').split('@')[0]!).filter(named),
    cgroups,
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(stateDir) || l.includes(root)),
    processes,
    ownerRecord: existsSync(join(ownerDir, `${root}.json`)),
  };
}

/** Where a kubelet, containerd, the CNI plugins or mount(8) would write on a host of their own. */
const HOST_PATHS = ['/var/lib/kubelet', '/var/lib/containerd', '/var/lib/cni', '/var/log/pods', '/var/log/containers', '/run/containerd', '/etc/cni', '/opt/cni', '/run/mount'];

/** The host's iptables rules, the kernel settings a kubelet would change, and which of those paths exist. */
export function hostSettings(): { iptables: string; sysctl: Record<string, string>; paths: string[] } {
  const iptables = text('iptables-save', []).split('\n').filter((l) => !l.startsWith('#')).join('\n');
  const keys = ['vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/panic', 'kernel/panic_on_oops', 'kernel/keys/root_maxkeys', 'kernel/keys/root_maxbytes', 'net/ipv4/ip_forward'];
  return { iptables, sysctl: Object.fromEntries(keys.map((k) => [k, readFileSync(`/proc/sys/${k}`, 'utf8').trim()])), paths: HOST_PATHS.filter((p) => existsSync(p)) };
}

export const NOTHING: HostObjects = { namespaces: [], interfaces: [], cgroups: [], mounts: [], processes: [], ownerRecord: false };
