/**
 * Address plan inside the RFC 2544 benchmarking range 198.18.0.0/15, which is never routed on
 * the Internet. Each fog target takes one /20 "block" (32 blocks fit, so several targets can
 * coexist); the host's own address on the fog switch is .1 of the block; node k (0-based, in
 * topology order) owns the /24 at block + (k+1)*256, and its pods take hosts 10..249 of it.
 * All interfaces use the /20 mask: the fog is one L2 segment, so nothing needs routing.
 */
const BASE = 198 * 2 ** 24 + 18 * 2 ** 16;
const BLOCK_SIZE = 4096;
export const BLOCK_COUNT = 32;
export const PREFIX_LENGTH = 20;
export const MAX_NODES = 15;
const FIRST_POD_HOST = 10;
const LAST_POD_HOST = 249;
/** The pods one node's /24 holds. */
export const PODS_PER_NODE = LAST_POD_HOST - FIRST_POD_HOST + 1;

export function toDotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

export function fromDotted(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

export function blockBase(block: number): number {
  return (BASE + block * BLOCK_SIZE) >>> 0;
}

export function hostAddress(block: number): string {
  return toDotted(blockBase(block) + 1);
}

export function nodeRange(block: number, nodeIndex: number): string {
  return `${toDotted(blockBase(block) + (nodeIndex + 1) * 256)}/24`;
}

export function podAddress(block: number, nodeIndex: number, podOrdinal: number): string {
  const host = FIRST_POD_HOST + podOrdinal;
  if (nodeIndex >= MAX_NODES) throw new RangeError(`at most ${MAX_NODES} nodes fit in one address block`);
  if (host > LAST_POD_HOST) throw new RangeError(`at most ${PODS_PER_NODE} pods fit on one node`);
  return toDotted(blockBase(block) + (nodeIndex + 1) * 256 + host);
}

/**
 * The MAC of the pod holding `address`: locally administered (02:...) and derived from the
 * address, so a pod that gets a freed address again also gets the same MAC, and the ARP
 * caches of the host and of long-lived pods stay right instead of pointing at a dead veth.
 */
export function macFor(address: string): string {
  const bytes = address.split('.').map((part) => Number(part).toString(16).padStart(2, '0'));
  return ['02', 'fb', ...bytes].join(':');
}

/** Which block an address in 198.18.0.0/15 falls in, or null when outside the range. */
export function blockOf(address: string): number | null {
  const value = fromDotted(address);
  const offset = value - BASE;
  if (offset < 0 || offset >= BLOCK_SIZE * BLOCK_COUNT) return null;
  return Math.floor(offset / BLOCK_SIZE);
}

/** The first block no existing host address uses, starting from `preferred` so that targets spread out. */
export function pickFreeBlock(usedAddresses: string[], preferred: number): number | null {
  const used = new Set(usedAddresses.map(blockOf).filter((b): b is number => b !== null));
  for (let i = 0; i < BLOCK_COUNT; i++) {
    const block = (preferred + i) % BLOCK_COUNT;
    if (!used.has(block)) return block;
  }
  return null;
}
