/**
 * The wider text sets (issue 45) as one corpus with today's TEXT_SOURCES: registered apart
 * (WIDER_TEXT_SOURCES), loaded only when asked for (`loadTextCorpus({ wider: true })`, TEXT_WIDER=1,
 * or by name in `sources` / TEXT_EXTRA_SOURCES), so that the shipped recipe's corpus is unchanged.
 *
 * When they are loaded, `mergeWider` makes one deduplicated corpus of today's rows and theirs:
 * - groups: the same human XSum, SQuAD, WritingPrompts, PubMed, arXiv, Reddit and essay texts recur
 *   across sets (and across today's sets and these). Every human row links its group to the key of its
 *   normalised text (textKey); groups so linked are one group, named by the group that comes first in
 *   load order (today's sets load first, so today's rows keep their group and split unless two of today's
 *   groups meet). The split is splitOf(that group), the fixed hash rule of text-common.ts; a group that
 *   holds an evaluation-only row (gede, ellipse) goes to test whole, so that no text of an
 *   evaluation-only set is trained on under another set's name;
 * - duplicates: exact copies are dropped by loadTextCorpus (first loaded wins); a human text of a wider
 *   set that is the same text as another human row of its group, cut shorter or longer (fast-detect-gpt
 *   cuts the original to the sample's length), is dropped too: today's rows are kept, then the longest.
 */
import type { TextSourceInfo } from '../text.js';
import { splitOf, type Split, type TextRow } from '../text-common.js';
import { alnum, textKey } from './common.js';
import { loadDetectrl } from './detectrl.js';
import { loadArgugpt, loadEllipse, loadGrid, loadHerbold, loadOutfox } from './essays.js';
import { WIDER_IDS } from './ids.js';
import { loadContinuations, loadImbd, loadL2r } from './rewrites.js';

export { WIDER_IDS, WIDER_SOURCE_IDS, hasWiderRows } from './ids.js';

/** In load order (WIDER_IDS); after today's TEXT_SOURCES. */
export const WIDER_TEXT_SOURCES: readonly TextSourceInfo[] = [
  { id: 'imbd', origin: 'Jiaqi-Chen-00/ImBD @ ef0ad54', license: 'Apache-2.0', evalOnly: false, labels: 'H, P, E, C', load: (d) => loadImbd(d) },
  { id: 'fast-detect-gpt', origin: 'baoguangsheng/fast-detect-gpt @ 971b052', license: 'MIT', evalOnly: false, labels: 'H, E', load: (d) => loadContinuations(d, 'fast-detect-gpt') },
  { id: 'glimpse', origin: 'baoguangsheng/glimpse @ 2bf1e72', license: 'MIT', evalOnly: false, labels: 'H, E', load: (d) => loadContinuations(d, 'glimpse') },
  { id: 'detectrl', origin: 'NLP2CT/DetectRL @ 3472f0a', license: 'none stated', evalOnly: false, labels: 'H, C, P (relabelled), LLM-involved mixes (role unknown)', load: (d) => loadDetectrl(d) },
  { id: 'l2r', origin: 'ranhli/l2r_data @ 2e0f258', license: 'CC BY 3.0', evalOnly: false, labels: 'H, P', load: (d) => loadL2r(d) },
  {
    id: 'outfox',
    origin: 'ryuryukke/OUTFOX @ 80275f5',
    license: 'Apache-2.0 (repository); human essays from PERSUADE 2.0, CC BY-NC-SA 4.0: evaluation only',
    evalOnly: true,
    labels: 'H, C (evaluation only)',
    load: (d) => loadOutfox(d),
  },
  { id: 'herbold-essays', origin: 'sherbold/chatgpt-student-essay-study @ 4cef7af', license: 'Apache-2.0', evalOnly: false, labels: 'H, C', load: (d) => loadHerbold(d) },
  { id: 'argugpt', origin: 'huhailinguist/ArguGPT @ cfbd00e', license: 'none in the repo', evalOnly: false, labels: 'C only', load: (d) => loadArgugpt(d) },
  { id: 'grid', origin: 'madlab-ucr/GriD @ f899c0e', license: 'none stated', evalOnly: false, labels: 'H, C', load: (d) => loadGrid(d) },
  { id: 'ellipse', origin: 'scrosseye/ELLIPSE-Corpus @ b5f4469', license: 'CC BY-NC-SA 4.0', evalOnly: true, labels: 'H only (evaluation only)', load: (d) => loadEllipse(d) },
];

if (WIDER_TEXT_SOURCES.map((s) => s.id).join() !== WIDER_IDS.join()) throw new Error('WIDER_TEXT_SOURCES and WIDER_IDS disagree');

/** Heads trained on the wider sets too (their config.json training_data names one): evaluated on the wider corpus. */
export function widerHeads(config: { training_data?: Record<string, unknown>[] }): boolean {
  return (config.training_data ?? []).some((t) => WIDER_TEXT_SOURCES.some((s) => s.id === t.source));
}

/** `wider` if given, else the environment: TEXT_WIDER=1 loads the wider sets. */
export function widerRequested(opts: { wider?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return opts.wider ?? env.TEXT_WIDER === '1';
}

export interface WiderReport {
  /** groups of the merged corpus whose rows come from more than one set, by the sets' ids joined with + */
  sharedGroups: Record<string, number>;
  /** rows of today's sets that changed group / split because a wider set shares their human text */
  baseRegrouped: Record<string, number>;
  baseSplitChanged: Record<string, number>;
  /** non-eval rows put in test because their group holds an evaluation-only row, by set */
  toTestForEval: Record<string, number>;
  /** human rows of wider sets dropped as a shorter / longer copy of a human text of their group, by set */
  nearDuplicates: Record<string, number>;
}

const bump = (m: Record<string, number>, k: string): void => {
  m[k] = (m[k] ?? 0) + 1;
};

/** Union-find over group ids; the root of a set is its member first seen (then the smaller id). */
function groupUnion() {
  const parent = new Map<string, string>();
  const rank = new Map<string, number>();
  const see = (g: string, at: number): void => {
    if (!parent.has(g)) parent.set(g, g);
    if (!rank.has(g) || rank.get(g)! > at) rank.set(g, at);
  };
  const find = (g: string): string => {
    let r = g;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let c = g;
    while (c !== r) {
      const next = parent.get(c)!;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const before = (a: string, b: string): boolean => {
    const ra = rank.get(a)!;
    const rb = rank.get(b)!;
    return ra < rb || (ra === rb && a < b);
  };
  const union = (a: string, b: string): void => {
    const x = find(a);
    const y = find(b);
    if (x === y) return;
    if (before(x, y)) parent.set(y, x);
    else parent.set(x, y);
  };
  return { see, find, union };
}

/** True when one string starts with the other. */
const prefixRelated = (a: string, b: string): boolean => (a.length <= b.length ? b.startsWith(a) : a.startsWith(b));

/**
 * Today's rows (`base`, in load order) and the wider sets' rows (`wider`, exact duplicates already
 * dropped) as one corpus: groups merged across sets, splits by merged group, near-duplicate human
 * texts of the wider sets dropped (module comment). Rows keep their order.
 */
export function mergeWider(base: readonly TextRow[], wider: readonly TextRow[]): { rows: TextRow[]; report: WiderReport } {
  const all = [...base, ...wider];
  const u = groupUnion();
  all.forEach((r, i) => u.see(r.group, i));
  const keyRank = all.length; // a key that names no row's group never names a merged group
  for (const r of all) {
    if (r.role !== 'human_author') continue;
    const k = textKey(r.text);
    if (!k) continue;
    u.see(k, keyRank);
    u.union(r.group, k);
  }
  const report: WiderReport = { sharedGroups: {}, baseRegrouped: {}, baseSplitChanged: {}, toTestForEval: {}, nearDuplicates: {} };
  const evalGroups = new Set<string>();
  const sources = new Map<string, Set<string>>();
  for (const r of all) {
    const g = u.find(r.group);
    if (r.evalOnly) evalGroups.add(g);
    let s = sources.get(g);
    if (!s) sources.set(g, (s = new Set()));
    s.add(r.source);
  }
  for (const s of sources.values()) if (s.size > 1) bump(report.sharedGroups, [...s].sort().join('+'));

  // near-duplicate human texts: per merged group (eval-only rows apart, per set, as loadTextCorpus keeps them)
  const drop = new Set<TextRow>();
  const humans = new Map<string, { row: TextRow; text: string; base: boolean; at: number }[]>();
  all.forEach((row, at) => {
    if (row.role !== 'human_author' || row.mined) return;
    const key = `${row.evalOnly ? `eval\u0000${row.source}` : ''}\u0000${u.find(row.group)}`;
    let l = humans.get(key);
    if (!l) humans.set(key, (l = []));
    l.push({ row, text: alnum(row.text), base: at < base.length, at });
  });
  for (const l of humans.values()) {
    if (l.length < 2) continue;
    l.sort((a, b) => Number(b.base) - Number(a.base) || (a.base ? a.at - b.at : b.text.length - a.text.length || a.at - b.at));
    const kept: string[] = [];
    for (const h of l) {
      if (!h.base && kept.some((k) => prefixRelated(k, h.text))) {
        drop.add(h.row);
        bump(report.nearDuplicates, h.row.source);
      } else kept.push(h.text);
    }
  }

  const rows: TextRow[] = [];
  all.forEach((r, i) => {
    if (drop.has(r)) return;
    const group = u.find(r.group);
    const toTest = evalGroups.has(group) && !r.evalOnly && r.split !== 'test';
    const split: Split = evalGroups.has(group) ? 'test' : group === r.group ? r.split : splitOf(group);
    if (i < base.length && group !== r.group) bump(report.baseRegrouped, r.source);
    if (i < base.length && split !== r.split) bump(report.baseSplitChanged, r.source);
    if (toTest) bump(report.toTestForEval, r.source);
    rows.push(group === r.group && split === r.split ? r : { ...r, group, split });
  });
  return { rows, report };
}
