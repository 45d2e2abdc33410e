/**
 * Balancing of the sample when the wider sets are in the corpus (issue 45): 44,000 DetectRL rows, four
 * generators and four genres, next to 90 herbold essays. The sampler's strata and caps stay per split x
 * source x role (text-pipeline.ts), so that no set takes more than its cap; inside a stratum the cap is
 * spread over the generator x domain cells instead of going to whichever rows hash lowest.
 */
import type { TextRow } from '../text-common.js';

/** The balancing cell of a row inside its stratum. */
export const cellOf = (r: TextRow): string => `${r.generator ?? 'unknown'}|${r.domain}`;

/**
 * At most `cap` of `sorted` (a stratum, in its sampling order), taken in turns from each generator x
 * domain cell: one from every cell, then a second from every cell that has one, ... Cells take their
 * turns in the order of their first row, rows within a cell keep their order. Deterministic.
 */
export function spreadOverCells(sorted: readonly TextRow[], cap: number): TextRow[] {
  if (sorted.length <= cap) return [...sorted];
  const cells = new Map<string, TextRow[]>();
  for (const r of sorted) {
    const c = cellOf(r);
    let l = cells.get(c);
    if (!l) cells.set(c, (l = []));
    l.push(r);
  }
  const lists = [...cells.values()];
  const out: TextRow[] = [];
  for (let turn = 0; out.length < cap; turn++) {
    for (const l of lists) {
      if (turn < l.length && out.length < cap) out.push(l[turn]!);
    }
  }
  return out;
}
