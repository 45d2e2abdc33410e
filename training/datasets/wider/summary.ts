/**
 * The merged corpus' check (issue 45): no group stands in two splits. (The markdown counts of
 * datasets/WIDER.md came from widerSummary here and training/wider-summary.ts, retired: training/README.md.)
 */
import type { TextRow } from '../text-common.js';

/** Groups whose rows stand in more than one split (0 in a sound corpus). */
export function groupsOnTwoSplits(rows: readonly TextRow[]): string[] {
  const splits = new Map<string, Set<string>>();
  for (const r of rows) {
    let s = splits.get(r.group);
    if (!s) splits.set(r.group, (s = new Set()));
    s.add(r.split);
  }
  return [...splits.entries()].filter(([, s]) => s.size > 1).map(([g]) => g);
}
