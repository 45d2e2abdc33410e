/**
 * Loader of DetectRL (NLP2CT/DetectRL @ 3472f0a, Benchmark/Benchmark_Data/<folder>/<file>_test.json:
 * `{text, label: human|llm, data_type, llm_type}`; arXiv, XSum, WritingPrompts, Yelp; ChatGPT,
 * Claude-instant, Google-PaLM, Llama-2-70b). README: "H, C, humanized C (DIPPER, back-translation,
 * prompt attacks), polished human (labelled 'human' there: relabel), sentence mixing"; "`Data_Mixing*`
 * mixes human and LLM sentences (document labels only)"; "Human texts repeat across files: deduplicate".
 */
import { basename, join } from 'node:path';
import type { RowInit } from '../text-sources.js';
import { readJson, type TextRow } from '../text-common.js';
import { isRefusal, pairIndex, polished, pushRow, textGroup } from './common.js';

interface DetectrlRecord {
  text: string;
  label: string;
  data_type: string;
  llm_type: string;
}

/**
 * The files in load order: the pure ones first (Multi_Domain names the domain of its LLM texts), the
 * mixing files last, so that a text found in several files keeps the label of a pure one.
 */
export const DETECTRL_FILES = [
  'Multi_Domain/multi_domains_arxiv_test.json',
  'Multi_Domain/multi_domains_xsum_test.json',
  'Multi_Domain/multi_domains_writing_prompt_test.json',
  'Multi_Domain/multi_domains_yelp_review_test.json',
  'Multi_LLM/multi_llms_ChatGPT_test.json',
  'Multi_LLM/multi_llms_Claude-instant_test.json',
  'Multi_LLM/multi_llms_Google-PaLM_test.json',
  'Multi_LLM/multi_llms_Llama-2-70b_test.json',
  'Direct_Prompt/direct_prompt_test.json',
  'Prompt_Attacks/prompt_few_shot_llm_test.json',
  'Prompt_Attacks/prompt_ICO_llm_test.json',
  'Prompt_Attacks/prompt_attacks_llm_test.json',
  'Paraphrase_Attacks/paraphrase_dipper_llm_test.json',
  'Paraphrase_Attacks/paraphrase_back_translation_llm_test.json',
  'Paraphrase_Attacks/paraphrase_polish_llm_test.json',
  'Paraphrase_Attacks/paraphrase_attacks_llm_test.json',
  'Paraphrase_Attacks_Human/paraphrase_polish_human_test.json',
  'Data_Mixing/llm_centered_mixing_test.json',
  'Data_Mixing/multi_llm_mixing_test.json',
  'Data_Mixing/data_mixing_attacks_test.json',
  'Data_Mixing_Human/human_centered_mixing_test.json',
  'Data_Mixing_Human/multi_human_mixing_test.json',
  'Data_Mixing_Human/data_mixing_attacks_test.json',
] as const;

/** `data_type` of a human row, and the Multi_Domain file names, as genres. */
const DOMAIN: Record<string, string> = {
  abstract: 'paper_abstract',
  arxiv: 'paper_abstract',
  document: 'news',
  xsum: 'news',
  story: 'story',
  writing_prompt: 'story',
  content: 'review',
  yelp_review: 'review',
};

type Mapping = Pick<RowInit, 'role' | 'pr' | 'llm'> | 'polished-human' | null;

/**
 * Role of a DetectRL row by file and label (null: left out). Measured on the files (6-word shingles
 * shared with the pure human and LLM texts of Multi_* and Direct_Prompt):
 * - pure files: label human -> human_author (PR 0); label llm -> llm_creator (PR 1), whether prompted
 *   (direct, few-shot, SICO) or humanized afterwards (DIPPER, back-translation, polish of LLM text,
 *   character/word attacks): every word is the LLM's (README "humanized C"; gede's dipper rows are C too);
 * - Paraphrase_Attacks_Human, label human: polished human text (README: relabel) -> llm_polisher, paired
 *   with its human source below;
 * - human_centered_mixing, label human: a human text with LLM sentences put in (about 75% of its
 *   shingles are the human text's) -> LLM-involved, role and PR unknown (null);
 * - llm_centered_mixing, label llm: an LLM text with some human sentences (7% human shingles) -> null;
 * - data_mixing_attacks (both folders): mixes under attacks, composition unknown: label llm -> null,
 *   label human -> left out (not known to be human only);
 * - the other mixing rows: label human -> human_author (sentences of human texts only), label llm ->
 *   llm_creator (sentences of LLM texts only).
 */
export function detectrlMapping(file: string, label: string): Mapping {
  const name = basename(file, '.json');
  const human = label === 'human';
  if (name === 'paraphrase_polish_human_test' && human) return 'polished-human';
  if (name === 'human_centered_mixing_test' && human) return { role: null, pr: null, llm: true };
  if (name === 'llm_centered_mixing_test' && !human) return { role: null, pr: null, llm: true };
  if (name === 'data_mixing_attacks_test') return human ? null : { role: null, pr: null, llm: true };
  return human ? { role: 'human_author', pr: 0, llm: false } : { role: 'llm_creator', pr: 1, llm: true };
}

export function loadDetectrl(dataDir: string): TextRow[] {
  const out: TextRow[] = [];
  const base = join(dataDir, 'detectrl/Benchmark/Benchmark_Data');
  const seen = new Set<string>();
  const polishedHuman: { file: string; i: number; r: DetectrlRecord }[] = [];
  const humans: { text: string; domain: string }[] = [];
  for (const file of DETECTRL_FILES) {
    let rows: DetectrlRecord[];
    try {
      rows = readJson<DetectrlRecord[]>(join(base, file));
    } catch {
      continue; // a file that is missing (some splits could not be obtained)
    }
    const name = basename(file, '.json').replace(/_test$/, '');
    const fileDomain = name.startsWith('multi_domains_') ? DOMAIN[name.slice('multi_domains_'.length)] : undefined;
    rows.forEach((r, i) => {
      if (typeof r.text !== 'string' || seen.has(r.text)) return;
      const m = detectrlMapping(file, r.label);
      if (m === null) return;
      seen.add(r.text);
      if (m === 'polished-human') {
        polishedHuman.push({ file, i, r });
        return;
      }
      const human = m.role === 'human_author';
      // a human row's data_type is its genre; an LLM row's is the attack (genre known in Multi_Domain only)
      const domain = fileDomain ?? DOMAIN[r.data_type] ?? 'mixed';
      if (human) humans.push({ text: r.text, domain });
      const generator = human ? 'human' : name === 'multi_llm_mixing' ? 'multi-llm' : r.llm_type.toLowerCase();
      pushRow(out, { key: `${name}:${i}`, text: r.text, source: 'detectrl', subset: `${name}:${r.data_type}`, domain, group: textGroup(r.text), generator, ...m });
    });
  }
  // README: "P, no original given: pair by source text where the same human text appears in other
  // files". Paired: PR = polisherPR(source, polished) in the source's group; unpaired: PR unknown (null).
  // A refusal ("I'm not able to help with that, as I'm only a language model") is no polished text: left out.
  const index = pairIndex(humans.map((h) => h.text));
  for (const { file, i, r } of polishedHuman) {
    if (isRefusal(r.text)) continue;
    const p = index.pair(r.text);
    const src = p ? humans[p.index]! : null;
    const name = basename(file, '.json').replace(/_test$/, '');
    const init: RowInit = {
      key: `${name}:${i}`,
      text: r.text,
      source: 'detectrl',
      subset: `${name}:${r.data_type}`,
      domain: src?.domain ?? 'mixed',
      group: textGroup(src?.text ?? r.text),
      generator: r.llm_type.toLowerCase(),
      role: 'llm_polisher',
      pr: null,
    };
    pushRow(out, src ? { ...init, ...polished(src.text, r.text) } : init);
  }
  return out;
}
