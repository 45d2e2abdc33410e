/**
 * Text-bearing judgment sets (human and LLM judges scoring the same candidates, with the candidate text),
 * from ../shared/data/judgments (see its INVENTORY.md). Format artefacts are removed here so that both
 * sides are like with like before any feature is computed:
 *
 * - topical_chat: the human scores are means of 3 USR annotators, so each LLM judgment is the mean of 3
 *   consecutive valid ChatGPT samples (of the 20 per item and prompt style); the rubric then rounds both
 *   sides to the dimension's integer scale.
 * - hanna_story: the LLM values are means of 3 generations, so the human judgment is the mean of the 3
 *   raters; LLM vectors that are not means of exactly 3 integer generations (values off the 1/3 lattice,
 *   i.e. a generation failed to parse upstream) are dropped; the rubric rounds both sides to 1-5.
 * - iclr_review: human ratings use {1,3,5,6,8,10}, LLM ratings any integer 1-10; the rubric maps every
 *   rating to the largest ICLR level not above it (floor_to_levels), on both sides.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readCsv, type JudgmentDataset, type JudgmentRow } from './judgments.js';
import { sharedDataDir } from './text-common.js';

const J = (dataDir: string, ...p: string[]) => path.join(dataDir, 'judgments', ...p);

/**
 * The rating in an LLM's raw answer: the last "Rating: N" (or "Score: N"), else a leading number, else a
 * number ending the text. Integers within [min, max] only; anything else is null.
 */
export function parseRating(text: string, min: number, max: number): number | null {
  if (typeof text !== 'string') return null;
  let m: RegExpMatchArray | null = null;
  const re = /(?:rating|score)\s*(?:\(\s*\d+\s*-\s*\d+\s*\))?\s*[:：=-]?\s*\**\s*(-?\d+(?:\.\d+)?)/gi;
  for (const x of text.matchAll(re)) m = x;
  let s: string | undefined = m?.[1];
  if (s === undefined) s = /^\s*\**\s*(-?\d+(?:\.\d+)?)\b/.exec(text)?.[1];
  if (s === undefined) s = /(-?\d+(?:\.\d+)?)\s*\**\s*\.?\s*$/.exec(text)?.[1];
  if (s === undefined) return null;
  const v = Number(s);
  if (!Number.isInteger(v) || v < min || v > max) return null;
  return v;
}

// ---------------------------------------------------------------------------------------------------
// Topical-Chat (USR) + ChatGPT

export const TOPICAL_DIMS = [
  { name: 'naturalness', key: 'nat', min: 1, max: 3 },
  { name: 'coherence', key: 'coh', min: 1, max: 3 },
  { name: 'engagingness', key: 'eng', min: 1, max: 3 },
  { name: 'groundedness', key: 'gro', min: 0, max: 1 },
] as const;
export const TOPICAL_MODES = ['geval', 'llm_eval_no_cot', 'analyze_rate', 'rate_explain'] as const;
/** LLM judgments per (candidate, mode): disjoint triples of samples */
export const TOPICAL_TRIPLES = 6;

interface TopicalRow {
  source: string;
  context: string;
  system_output: string;
  system_id: string;
  scores: Record<string, number>;
  all_responses?: string[];
}

const tcKey = (r: TopicalRow) => `${r.system_id}\u0000${r.source}\u0000${r.system_output}`;

export function loadTopicalChat(dataDir = sharedDataDir()): JudgmentDataset {
  const base = J(dataDir, 'd223302__A-Closer-Look-To-LLM-Evaluation');
  const data = JSON.parse(readFileSync(path.join(base, 'data', 'topical_chat.json'), 'utf8')) as TopicalRow[];
  const candidates = new Map<string, Record<string, string>>();
  const idOf = new Map<string, string>();
  const rows: JudgmentRow[] = [];
  data.forEach((r, i) => {
    const id = `tc${i}`;
    idOf.set(tcKey(r), id);
    candidates.set(id, { prompt: r.source.trim(), knowledge: r.context.trim(), response: r.system_output.trim() });
    const scores: Record<string, number> = {};
    // means of 3 annotators, stored with 10 decimals (2.3333333333): snap to the exact 1/3 lattice so the
    // two sides do not differ in float precision
    for (const d of TOPICAL_DIMS) scores[d.name] = Math.round(r.scores[d.name] * 3) / 3;
    if (TOPICAL_DIMS.every((d) => Number.isFinite(scores[d.name]))) {
      rows.push({ id: `${id}:human`, rubric: 'topical_chat', label: 0, judge: 'human (mean of 3 USR annotators)', scores, candidateId: id });
    }
  });
  let parsed = 0;
  let failed = 0;
  for (const mode of TOPICAL_MODES) {
    // candidate -> dimension -> valid ratings in sample order
    const valid = new Map<string, Record<string, number[]>>();
    for (const d of TOPICAL_DIMS) {
      const file = path.join(base, 'results', 'topical_chat', `gpt3.5_${d.key}_${mode}.json`);
      const res = JSON.parse(readFileSync(file, 'utf8')) as TopicalRow[];
      for (const r of res) {
        const id = idOf.get(tcKey(r));
        if (!id) continue;
        const ratings: number[] = [];
        for (const s of r.all_responses ?? []) {
          const v = parseRating(s, d.min, d.max);
          if (v === null) failed++;
          else {
            parsed++;
            ratings.push(v);
          }
        }
        const rec = valid.get(id) ?? {};
        rec[d.name] = ratings;
        valid.set(id, rec);
      }
    }
    for (const [id, rec] of [...valid.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      for (let t = 0; t < TOPICAL_TRIPLES; t++) {
        const scores: Record<string, number> = {};
        let ok = true;
        for (const d of TOPICAL_DIMS) {
          const v = rec[d.name];
          if (!v || v.length < 3 * t + 3) {
            ok = false;
            break;
          }
          scores[d.name] = (v[3 * t] + v[3 * t + 1] + v[3 * t + 2]) / 3;
        }
        if (ok) rows.push({ id: `${id}:${mode}:${t}`, rubric: 'topical_chat', label: 1, judge: `gpt-3.5-turbo|${mode}`, scores, candidateId: id });
      }
    }
  }
  return {
    rubric: 'topical_chat',
    rows,
    candidates,
    provenance: [
      'judgments/d223302__A-Closer-Look-To-LLM-Evaluation @ 90084422 (Chiang & Lee 2023; USR Topical-Chat): data/topical_chat.json (human: mean of 3 annotators) + results/topical_chat/gpt3.5_{nat,coh,eng,gro}_{geval,llm_eval_no_cot,analyze_rate,rate_explain}.json',
      `LLM side: mean of 3 consecutive valid samples per dimension (up to ${TOPICAL_TRIPLES} disjoint triples per item and prompt style); ${parsed} samples parsed, ${failed} unparseable or out of range`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// HANNA stories

export const HANNA_DIMS = ['Relevance', 'Coherence', 'Empathy', 'Surprise', 'Engagement', 'Complexity'] as const;
export const hannaDimName = (d: string) => d.toLowerCase();

/** true when v is a mean of 3 integers (on the 1/3 lattice) */
export function isMeanOfThree(v: number): boolean {
  return Math.abs(v * 3 - Math.round(v * 3)) < 1e-6;
}

export function loadHanna(dataDir = sharedDataDir()): JudgmentDataset {
  const file = J(dataDir, 'dig-team__hanna-benchmark-asg', 'derived', 'hanna_human_stories_96_human_vs_llm.jsonl');
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const rows: JudgmentRow[] = [];
  const candidates = new Map<string, Record<string, string>>();
  let dropped = 0;
  let kept = 0;
  for (const line of lines) {
    const r = JSON.parse(line) as {
      story_id: number;
      prompt: string;
      story: string;
      human_raters: Record<string, number>[];
      llm_judges: Record<string, Record<string, number | null>>;
    };
    const id = `hanna${r.story_id}`;
    candidates.set(id, { prompt: r.prompt, story: r.story });
    if (r.human_raters.length === 3) {
      const scores: Record<string, number> = {};
      let ok = true;
      for (const d of HANNA_DIMS) {
        const vs = r.human_raters.map((h) => h[d]);
        if (!vs.every((v) => Number.isInteger(v) && v >= 1 && v <= 5)) ok = false;
        scores[hannaDimName(d)] = vs.reduce((a, b) => a + b, 0) / 3;
      }
      if (ok) rows.push({ id: `${id}:human`, rubric: 'hanna_story', label: 0, judge: 'human (mean of 3 raters)', scores, candidateId: id });
    }
    for (const [judge, vec] of Object.entries(r.llm_judges).sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const scores: Record<string, number> = {};
      let ok = true;
      for (const d of HANNA_DIMS) {
        const v = vec[d];
        if (typeof v !== 'number' || !Number.isFinite(v) || v < 1 || v > 5 || !isMeanOfThree(v)) ok = false;
        else scores[hannaDimName(d)] = Math.round(v * 3) / 3;
      }
      if (!ok) {
        dropped++;
        continue;
      }
      kept++;
      rows.push({ id: `${id}:${judge}`, rubric: 'hanna_story', label: 1, judge, scores, candidateId: id });
    }
  }
  return {
    rubric: 'hanna_story',
    rows,
    candidates,
    provenance: [
      'judgments/dig-team__hanna-benchmark-asg @ 282f2753 (MIT): derived/hanna_human_stories_96_human_vs_llm.jsonl (96 human-written stories with text)',
      `human: mean of the 3 raters; LLM: ${kept} vectors that are means of 3 generations kept, ${dropped} with a value off the 1/3 lattice dropped`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// ICLR 2022 reviews vs AI-Scientist reviewers

export const ICLR_LEVELS = [1, 3, 5, 6, 8, 10];

export function loadIclr(dataDir = sharedDataDir(), opts: { maxPaperChars?: number } = {}): JudgmentDataset {
  const base = J(dataDir, 'SakanaAI__AI-Scientist', 'review_iclr_bench');
  const human = readCsv(path.join(base, 'ratings_subset.tsv'), '\t');
  const rows: JudgmentRow[] = [];
  const candidates = new Map<string, Record<string, string>>();
  const maxChars = opts.maxPaperChars ?? 100_000;
  const paperText = (pid: string) => {
    const f = path.join(base, 'iclr_parsed', `${pid}.txt`);
    if (!existsSync(f)) return null;
    const t = readFileSync(f, 'utf8');
    return t.length > maxChars ? t.slice(0, maxChars) : t;
  };
  for (const h of human) {
    const pid = h.paper_id;
    const text = paperText(pid);
    if (text === null) continue;
    candidates.set(pid, { paper: text });
    for (let k = 0; k <= 6; k++) {
      const s = h[String(k)];
      if (s === undefined || s.trim() === '') continue;
      const v = Number(s);
      if (!Number.isFinite(v)) continue;
      rows.push({ id: `${pid}:human:${k}`, rubric: 'iclr_review', label: 0, judge: 'human (ICLR 2022 reviewer)', scores: { rating: v }, candidateId: pid });
    }
  }
  const files = [
    'gpt-4o-2024-05-13_temp_0_1_pages_all.csv',
    'gpt-4o-2024-05-13_temp_0_1_reflect_5_pages_all.csv',
    'gpt-4o-2024-05-13_temp_0_1_reflect_5_ensemble_5_pages_all.csv',
    'gpt-4o-2024-05-13_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv',
    'claude-3-5-sonnet-20240620_temp_0_1_reflect_5_ensemble_5_pages_all.csv',
    'gpt-4o-mini-2024-07-18_temp_0_1_fewshot_1_reflect_5_ensemble_5_pages_all.csv',
  ];
  let skipped = 0;
  for (const f of files) {
    const judge = f.replace(/\.csv$/, '');
    for (const r of readCsv(path.join(base, 'llm_reviews', f))) {
      const pid = r.paper_id;
      const v = Number(r.Overall);
      if (!candidates.has(pid) || !Number.isInteger(v) || v < 1 || v > 10) {
        skipped++;
        continue;
      }
      rows.push({ id: `${pid}:${judge}`, rubric: 'iclr_review', label: 1, judge, scores: { rating: v }, candidateId: pid });
    }
  }
  return {
    rubric: 'iclr_review',
    rows,
    candidates,
    provenance: [
      'judgments/SakanaAI__AI-Scientist @ 9dffdc44 (Apache-2.0): review_iclr_bench/ratings_subset.tsv (individual human Overall ratings), llm_reviews/*.csv (6 LLM reviewer configurations), iclr_parsed/<paper>.txt (candidate, first 100,000 characters)',
      `ratings mapped to the largest ICLR level {1,3,5,6,8,10} not above them on both sides (rubric normalisation); ${skipped} LLM rows without a valid Overall or paper skipped`,
    ],
  };
}
