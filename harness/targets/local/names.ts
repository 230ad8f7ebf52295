/**
 * Every kernel object the fog target creates (interfaces, namespaces, cgroups) is named
 * `fbf<tag>...`, where the tag is 4 random characters per target instance: the tag lets two
 * targets live side by side, and a person can tell the objects apart. The name does not make an
 * object fogbench's: only the owner record does (owner.ts); another tool may use the same
 * prefix. Interface names must fit in 15 bytes (IFNAMSIZ - 1).
 */
import { randomBytes } from 'node:crypto';

export const PREFIX = 'fbf';
export const TAG_PATTERN = '[a-z0-9]{4}';

/** The shapes of the names we create; group 1 is the tag. For reading names, not for ownership. */
export const OWNED_INTERFACE = new RegExp(`^${PREFIX}(${TAG_PATTERN})(br|[nudp]\\d{1,5})$`);
export const OWNED_NETNS = new RegExp(`^${PREFIX}(${TAG_PATTERN})-[a-z0-9-]+$`);
export const OWNED_CGROUP = new RegExp(`^${PREFIX}(${TAG_PATTERN})$`);

export function newTag(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join('');
}

export class FogNames {
  constructor(readonly tag: string) {}
  get root(): string {
    return `${PREFIX}${this.tag}`;
  }
  /** The fog's switch: every node link ends here; the host's address lives on it. */
  get switchBridge(): string {
    return `${this.root}br`;
  }
  nodeBridge(nodeIndex: number): string {
    return `${this.root}n${nodeIndex}`;
  }
  /** Switch side of a node's link: its egress queue carries traffic towards the node. */
  uplinkSwitchSide(nodeIndex: number): string {
    return `${this.root}u${nodeIndex}`;
  }
  /** Node side of a node's link: its egress queue carries traffic leaving the node. */
  uplinkNodeSide(nodeIndex: number): string {
    return `${this.root}d${nodeIndex}`;
  }
  podVeth(podIndex: number): string {
    return `${this.root}p${podIndex}`;
  }
  netns(podName: string): string {
    return `${this.root}-${sanitize(podName)}`;
  }
  /** cgroup folder (relative to each controller's root) of the whole target. */
  get cgroupRoot(): string {
    return this.root;
  }
}

/** Lower-case, [a-z0-9-] only, at most 40 characters: safe in netns and cgroup names. */
export function sanitize(name: string): string {
  const clean = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return clean === '' ? 'pod' : clean;
}
