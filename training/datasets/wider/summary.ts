/**
 * The counts of the merged corpus (issue 45) as markdown: rows per set x role x split, PR known or not,
 * groups per set and the groups that sets share, what merging did, and the check that no group stands
 * in two splits. training/wider-summary.ts prints it for ../shared/data.
 */
import type { TextRow } from '../text-common.js';
import type { WiderReport } from './corpus.js';
import { WIDER_SOURCE_IDS } from './ids.js';

const ROLE_COLS = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender', 'unknown'] as const;
const SPLITS = ['train', 'validation', 'test'] as const;

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

const table = (head: string[], body: (string | number)[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const sortedEntries = (m: Record<string, number>): [string, number][] => Object.entries(m).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));

export function widerSummary(rows: readonly TextRow[], report: WiderReport | null): string {
  const sources = [...new Set(rows.map((r) => r.source))];
  const count = new Map<string, number>();
  const bump = (k: string) => count.set(k, (count.get(k) ?? 0) + 1);
  const groups = new Map<string, Set<string>>();
  for (const r of rows) {
    const role = r.role ?? 'unknown';
    bump(`${r.source}|${role}|${r.split}`);
    bump(`${r.source}|${role}`);
    bump(`${r.source}|all`);
    if (r.role !== 'human_author' && r.pr === null) bump(`${r.source}|pr-null`);
    if (r.evalOnly) bump(`${r.source}|eval`);
    let g = groups.get(r.source);
    if (!g) groups.set(r.source, (g = new Set()));
    g.add(r.group);
  }
  const n = (k: string) => count.get(k) ?? 0;
  const cell = (s: string, role: string) => {
    const total = n(`${s}|${role}`);
    return total === 0 ? '' : `${total} (${SPLITS.map((sp) => n(`${s}|${role}|${sp}`)).join('/')})`;
  };
  const body = sources.map((s) => [
    WIDER_SOURCE_IDS.has(s) ? `**${s}**` : s,
    n(`${s}|all`),
    ...ROLE_COLS.map((role) => cell(s, role)),
    n(`${s}|pr-null`),
    groups.get(s)!.size,
    n(`${s}|eval`) > 0 ? 'yes' : '',
  ]);
  const out: string[] = [];
  out.push(`Rows per set and role, as total (train/validation/test); wider sets in bold. ${rows.length} rows.`, '');
  out.push(table(['set', 'rows', 'H', 'C', 'P', 'E', 'role unknown', 'LLM rows with PR unknown', 'groups', 'eval only'], body));
  const two = groupsOnTwoSplits(rows);
  out.push('', `Groups on two sides of a split: ${two.length}${two.length ? ` (${two.slice(0, 5).join(', ')})` : ''}.`);
  if (report) {
    out.push('', 'Groups shared by more than one set (merged groups, by the sets in them):', '');
    out.push(table(['sets', 'groups'], sortedEntries(report.sharedGroups)));
    const line = (what: string, m: Record<string, number>) =>
      `- ${what}: ${Object.keys(m).length === 0 ? 'none' : sortedEntries(m).map(([k, v]) => `${k} ${v}`).join(', ')}`;
    out.push('');
    out.push(line("rows of today's sets moved to another group (a wider set or another of today's sets shares their human text)", report.baseRegrouped));
    out.push(line("rows of today's sets whose split changed", report.baseSplitChanged));
    out.push(line('rows put in test because their group holds an evaluation-only row (gede, ellipse)', report.toTestForEval));
    out.push(line('human rows of wider sets dropped as a shorter or longer copy of a human text of their group', report.nearDuplicates));
  }
  return out.join('\n');
}
