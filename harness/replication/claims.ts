/**
 * The Dyninka paper's claims that a fogbench run can test, with fixed ids (issue 22). Each cites
 * where the paper says it: section, table or figure, and the lines of
 * /work/shared/paper/dyninka-paper.txt (the text as extracted from the PDF, so a table can sit in
 * the middle of a paragraph). The paper's "Dyninka" is fogbench's p2p.
 */
export const CLAIM_IDS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10', 'C11', 'C12', 'C13', 'C14'] as const;
export type ClaimId = (typeof CLAIM_IDS)[number];

export interface Claim {
  id: ClaimId;
  claim: string;
  source: string;
}

export const CLAIMS: readonly Claim[] = [
  {
    id: 'C1',
    claim: 'p2p throughput above OpenFaaS at 1, 5 and 50 workers',
    source: 'Table II (lines 777–783); §IV.F: "In each scenario, Dyninka outperforms OpenFaaS" (lines 811–815)',
  },
  {
    id: 'C2',
    claim: 'OpenFaaS/p2p throughput ratio ≈ 0.66 at 1 and 0.60 at 5 workers',
    source: 'Table II (lines 777–783): 1.35/2.04 and 2.20/3.67 req/s',
  },
  {
    id: 'C3',
    claim: 'OpenFaaS mean latency above p2p at 1 and 5 workers',
    source: 'Table III (lines 785–791) and Table IV (lines 861–867): 0.49 vs 0.74 s, 1.36 vs 2.24 s',
  },
  {
    id: 'C4',
    claim: 'p2p throughput rises with workers, ×3.6 from 1 to 50',
    source: 'Table III (lines 785–791): 2.04, 3.67, 4.59, 7.44 req/s',
  },
  {
    id: 'C5',
    claim: 'both systems error-free (≤ 0.25 %) at 1 and 5 workers',
    source: 'Table I (lines 596–602); §IV.C (lines 656–660, 676–678)',
  },
  {
    id: 'C6',
    claim: 'OpenFaaS errors above 90 % at 10 and 50 workers',
    source: 'Table I (lines 596–602): 94.32 % and 99.03 %; §IV.C (lines 660–664)',
  },
  {
    id: 'C7',
    claim: 'OpenFaaS errors start about 90 s into the 10-worker run and do not recover',
    source: 'Fig. 7 (caption line 706); §IV.C (lines 666–670, 680–686)',
  },
  {
    id: 'C8',
    claim: 'the OpenFaaS gateway restarts under 50 workers (about 3 times); p2p services do not',
    source: 'Fig. 9 (caption line 710); §IV.C: gateway crashes at 230, 480 and 550 s (lines 688–697, 721–723); Fig. 10 (line 712, lines 725–731) shows no p2p crash',
  },
  {
    id: 'C9',
    claim: 'p2p at 50 workers: about 19 % errors, everything rejected in the first ~40 s',
    source: 'Table I (lines 596–602): 18.81 %; Fig. 10 (caption line 712); §IV.C (lines 725–731)',
  },
  {
    id: 'C10',
    claim: "OpenFaaS throughput lower at 50 than at 10 workers, while p2p's rises",
    source: 'Table II (lines 777–783): OpenFaaS 5.18 → 3.49, p2p 4.59 → 7.44 req/s',
  },
  {
    id: 'C11',
    claim: "p2p's median time between services below OpenFaaS's on every hop at 10 and 50 workers",
    source: 'Figs. 11–12 (captions lines 713–719); §IV.D (lines 743–747)',
  },
  {
    id: 'C12',
    claim: "p2p's time between services does not grow with workers; OpenFaaS's does",
    source: '§IV.E text (lines 769–775, 793–795), on Figs. 11–12 (10 and 50 workers)',
  },
  {
    id: 'C13',
    claim: "the first hop's medians about equal between the systems at 10 workers",
    source: '§IV.E text (lines 759–769): fetchdatafromsensor → filter "has the same median values"',
  },
  {
    id: 'C14',
    claim: 'Little\'s law holds for both systems: workers ÷ req/s ≈ mean latency',
    source: 'Tables II–IV (lines 777–791, 861–867)',
  },
];
