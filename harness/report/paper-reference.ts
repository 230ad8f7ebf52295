/**
 * The Dyninka paper's published figures (tables II-IV, t2.small-like VMs, `hey` closed loop,
 * 10 minutes per profile). Shown beside our numbers as a reference, always labelled as the
 * paper's: they come from different hardware and are not targets to hit.
 */
export const PAPER_LABEL = 'Dyninka paper (t2.small VMs)';

export interface PaperReferenceRow {
  system: 'p2p' | 'openfaas';
  workers: number;
  /** Requests per second. */
  throughput: number;
  /** Mean latency, milliseconds (the paper gives seconds). */
  meanLatencyMs: number;
  /** Fraction of requests that failed, 0..1. */
  errorRate: number;
}

const rows: [number, number, number, number, number, number, number][] = [
  // workers, p2p req/s, OpenFaaS req/s, p2p mean s, OpenFaaS mean s, p2p errors %, OpenFaaS errors %
  [1, 2.04, 1.35, 0.49, 0.74, 0.25, 0.0],
  [5, 3.67, 2.2, 1.36, 2.24, 0.0, 0.0],
  [10, 4.59, 5.18, 2.18, 1.71, 0.0, 94.32],
  [50, 7.44, 3.49, 6.75, 6.21, 18.81, 99.03],
];

export const PAPER_REFERENCE: readonly PaperReferenceRow[] = rows.flatMap(
  ([workers, p2pTput, ofTput, p2pLat, ofLat, p2pErr, ofErr]) => [
    { system: 'p2p' as const, workers, throughput: p2pTput, meanLatencyMs: p2pLat * 1000, errorRate: p2pErr / 100 },
    { system: 'openfaas' as const, workers, throughput: ofTput, meanLatencyMs: ofLat * 1000, errorRate: ofErr / 100 },
  ],
);

export function paperReference(system: string, workers: number): PaperReferenceRow | undefined {
  return PAPER_REFERENCE.find((row) => row.system === system && row.workers === workers);
}
