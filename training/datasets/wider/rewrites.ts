/**
 * Loaders of the wider sets built from (human original, LLM output) pairs: imbd (polish / rewrite /
 * expand / generation of XSum, SQuAD, WritingPrompts, PubMed texts), fast-detect-gpt and glimpse
 * (a human start continued), l2r (21 domains of human texts rewritten by four LLMs).
 * Rules: ../shared/data/README.md, the rows of these sets; PR by the paper's formulas (text-common.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { listFiles, type RowInit } from '../text-sources.js';
import { readJson, type TextRow } from '../text-common.js';
import { continuation, isRefusal, pairIndex, polished, pushRow, stripChatFrame, textGroup } from './common.js';

/** The human sources of imbd, fast-detect-gpt and glimpse, by their file-name prefix, as genres. */
const SOURCE_DOMAIN: Record<string, string> = { xsum: 'news', squad: 'wikipedia', writing: 'story', pubmed: 'qa-medical' };
const sourceDomain = (name: string): string => SOURCE_DOMAIN[name] ?? 'mixed';

/** Adds a human original once per loader call (the same original stands in many of a set's files). */
function humanRows(out: TextRow[], source: string): (subset: string, domain: string, key: string, text: string) => void {
  const seen = new Set<string>();
  return (subset, domain, key, text) => {
    if (seen.has(text)) return;
    seen.add(text);
    pushRow(out, { key, text, source, subset, domain, group: textGroup(text), role: 'human_author', pr: 0, generator: 'human' });
  };
}

// --- imbd ------------------------------------------------------------------------------------------
/**
 * imbd: README "`{original, rewritten}`: human XSum / SQuAD / WritingPrompts / PubMed texts polished,
 * rewritten (heavy P), expanded and generated ... Recompute PR from the pair". Issue 45: polish,
 * rewrite and 'expand but not extend' are llm_polisher with PR = polisherPR(original, rewritten).
 * `generation` (issue: C) is a continuation of the original's first words in the files (gpt-4o,
 * gpt-3.5-turbo and Llama-3-8B keep 20-25 words of it verbatim, Mistral-7B mostly none): it gets
 * the rule of a continuation (`continuation`: E with PR from the longest common word prefix, C with
 * PR 1 where the human start is not kept). The originals are human_author rows; `pubmed.raw_data.json`
 * holds originals only. `ai_detection_500_polish` is ImBD's own training pairs (mixed web texts, model
 * not stated: generator `unknown`). Outputs lose their markdown bold and chat frame (stripChatFrame);
 * a refusal is left out.
 */
export function loadImbd(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'imbd/data');
  type Pairs = { original?: string[]; rewritten?: string[] };
  const pushHuman = humanRows(out, 'imbd');
  for (const f of listFiles(base, (p) => p.endsWith('.raw_data.json'))) {
    const name = basename(f, '.raw_data.json');
    const d = readJson<Pairs>(f);
    // <task>/<model>/<source>_<task>_<model>.raw_data.json, or a file in data/ itself
    const rel = f.slice(base.length + 1).split('/');
    const task = rel.length === 3 ? rel[0]! : name.startsWith('ai_detection') ? 'polish' : 'human';
    const generator = rel.length === 3 ? rel[1]!.toLowerCase() : 'unknown';
    const own = name.startsWith('ai_detection');
    const src = own ? 'ai_detection_500' : name.split('_')[0]!;
    const domain = own ? 'mixed' : sourceDomain(src);
    const subset = rel.length === 3 ? `${src}:${task}:${generator}` : name;
    const originals = d.original ?? [];
    originals.forEach((original, i) => {
      if (typeof original !== 'string') return;
      pushHuman(`${src}:human`, domain, `${name}:${i}:h`, original);
      const raw = d.rewritten?.[i];
      if (task === 'human' || typeof raw !== 'string') return;
      const final = stripChatFrame(raw);
      if (isRefusal(final)) return;
      const mapped = task === 'generation' ? continuation(original, final) : polished(original, final);
      pushRow(out, { key: `${name}:${i}`, text: final, source: 'imbd', subset, domain, group: textGroup(original), generator, ...mapped });
    });
  }
  return out;
}

// --- fast-detect-gpt, glimpse ------------------------------------------------------------------------
/**
 * fast-detect-gpt and glimpse: README "`{original, sampled}`: a human start (about 30 tokens) continued
 * by <10 models> on XSum / SQuAD / WritingPrompts / PubMed: E with the boundary at the longest common
 * prefix". `sampled` is llm_extender with PR = extenderPR(words after the common word prefix, sampled)
 * (`continuation`; C where the start is not kept); `original` is a human_author row. Files:
 * `<source>_<model>.raw_data.json` under `exp_*` folders.
 */
export function loadContinuations(dataDir: string, source: 'fast-detect-gpt' | 'glimpse'): TextRow[] {
  const out: TextRow[] = [];
  const pushHuman = humanRows(out, source);
  for (const f of listFiles(join(dataDir, source), (p) => p.endsWith('.raw_data.json'))) {
    const name = basename(f, '.raw_data.json');
    const cut = name.indexOf('_');
    const src = name.slice(0, cut);
    const generator = name.slice(cut + 1).toLowerCase();
    const domain = sourceDomain(src);
    const d = readJson<{ original?: string[]; sampled?: string[] }>(f);
    (d.original ?? []).forEach((original, i) => {
      const sampled = d.sampled?.[i];
      if (typeof original !== 'string') return;
      pushHuman(`${src}:human`, domain, `${name}:${i}:h`, original);
      if (typeof sampled !== 'string') return;
      pushRow(out, { key: `${name}:${i}`, text: sampled, source, subset: `${src}:${generator}`, domain, group: textGroup(original), generator, ...continuation(original, sampled) });
    });
  }
  return out;
}

// --- l2r ---------------------------------------------------------------------------------------------
/** l2r domains that are not prose: HumanEval code (comnets-homework leaves code out the same way). */
const L2R_SKIP = new Set(['Code']);

const kebab = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * l2r: README "`<domain>/human.json` and the same texts, row by row, rewritten by GPT-3-Turbo, GPT-4o,
 * Gemini-1.5-Pro, Llama-3-70B (P of varying strength: compute PR)". human.json rows are human_author;
 * a model file's rows are llm_polisher with PR = polisherPR(human[i], row i) when the file has as many
 * rows as human.json (checked on the data: then row i rewrites human row i). The Gemini files have
 * fewer rows (rows left out, the rest shifted): row i is paired by word overlap (pairIndex) with one of
 * human rows i .. i + (human rows - file rows); a row with no confident pair keeps the role, PR unknown
 * (null) and a group of its own.
 */
export function loadL2r(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'l2r');
  if (!existsSync(base)) return out;
  const pushHuman = humanRows(out, 'l2r');
  for (const dom of readdirSync(base).sort()) {
    const dir = join(base, dom);
    if (L2R_SKIP.has(dom) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'human.json'))) continue;
    const domain = kebab(dom);
    const human = readJson<string[]>(join(dir, 'human.json'));
    human.forEach((h, i) => pushHuman(`${dom}:human`, domain, `${dom}:${i}:h`, h));
    let index: ReturnType<typeof pairIndex> | null = null;
    for (const f of listFiles(dir, (p) => p.endsWith('.json') && !p.endsWith('/human.json'))) {
      const model = basename(f, '.json');
      const rows = readJson<string[]>(f);
      const aligned = rows.length === human.length;
      rows.forEach((text, i) => {
        if (typeof text !== 'string' || isRefusal(text)) return;
        let original: string | null = aligned ? human[i]! : null;
        if (!aligned) {
          index ??= pairIndex(human);
          // rows left out, order kept (checked: every confident pair of the whole file falls in this window)
          const p = index.pair(text, (h) => h >= i && h - i <= human.length - rows.length);
          original = p ? human[p.index]! : null;
        }
        const init: RowInit = { key: `${dom}:${model}:${i}`, text, source: 'l2r', subset: `${dom}:${model}`, domain, group: textGroup(original ?? text), generator: model.toLowerCase(), role: 'llm_polisher', pr: null };
        pushRow(out, original === null ? init : { ...init, ...polished(original, text) });
      });
    }
  }
  return out;
}
