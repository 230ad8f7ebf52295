/**
 * A verdict on each of the paper's claims (claims.ts) from one run's profiles: reproduced,
 * not reproduced, or untestable with what the run lacks. Pure: the run folder's writer and the
 * report call it, so a report regenerated later judges the same run again.
 */
import type { ProfileResult } from '../results/schema.ts';
import { CLAIMS, type ClaimId } from './claims.ts';
import { judgeC6, judgeC7, judgeC8, judgeC9 } from './verdicts-collapse.ts';
import { judgeC11, judgeC12, judgeC13 } from './verdicts-hops.ts';
import { judgeC1, judgeC10, judgeC14, judgeC2, judgeC3, judgeC4, judgeC5 } from './verdicts-load.ts';
import { combine, type Part, type VerdictStatus } from './verdict-rules.ts';

export interface Verdict {
  id: ClaimId;
  claim: string;
  source: string;
  status: VerdictStatus;
  evidence: string;
}

const JUDGES: Record<ClaimId, (profiles: readonly ProfileResult[]) => Part[]> = {
  C1: judgeC1,
  C2: judgeC2,
  C3: judgeC3,
  C4: judgeC4,
  C5: judgeC5,
  C6: judgeC6,
  C7: judgeC7,
  C8: judgeC8,
  C9: judgeC9,
  C10: judgeC10,
  C11: judgeC11,
  C12: judgeC12,
  C13: judgeC13,
  C14: judgeC14,
};

/** The claims are about the paper's dataflow: a synthetic chain (`chain:`, --sweep) tests none of them. */
function otherScenario(profiles: readonly ProfileResult[]): string | null {
  const chain = profiles.find((p) => p.manifest.scenario.synthetic)?.manifest.scenario.synthetic;
  return chain ? `this run's scenario is a synthetic chain (${chain.spec}), not the paper's smart-building dataflow` : null;
}

export function judgeClaims(profiles: readonly ProfileResult[]): Verdict[] {
  const other = otherScenario(profiles);
  return CLAIMS.map((c) => ({ id: c.id, claim: c.claim, source: c.source, ...(other ? { status: 'untestable' as const, evidence: other } : combine(JUDGES[c.id](profiles))) }));
}
