/**
 * Renders docs/FEATURES.md from TEXT_FEATURES (the single source of feature names and meanings).
 *
 *   npx tsx scripts/feature-docs.ts     rewrites docs/FEATURES.md
 *
 * test/features/docs.test.ts fails when the committed file is out of sync.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEXT_FEATURES, TEXT_FEATURE_VERSION } from '../src/features/text.js';

/** The 23 linguistic features of the public J-Detector re-implementation (see docs/FEATURES.md). */
export const J_DETECTOR_FEATURES: readonly string[] = [
  'word_count', 'char_count', 'sentence_count', 'avg_sentence_length', 'unique_words', 'vocab_diversity',
  'coleman_liau', 'list_count', 'paragraph_count', 'punctuation_count', 'reference_count',
  'syntax_tree_depth', 'average_dependency_length', 'passive_voice_ratio', 'subordinate_clause_rate',
  'adjective_ratio', 'adverb_ratio', 'pronoun_ratio', 'contraction_rate', 'average_word_length',
  'hedging_frequency', 'discourse_marker_rate', 'noun_verb_ratio',
];

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderFeaturesMarkdown(): string {
  const families = [...new Set(TEXT_FEATURES.map((f) => f.family))];
  const lines = [
    '# Text features',
    '',
    '<!-- GENERATED from TEXT_FEATURES in src/features/text.ts by `npx tsx scripts/feature-docs.ts`; do not edit by hand. -->',
    '',
    `Version \`${TEXT_FEATURE_VERSION}\`, ${TEXT_FEATURES.length} features in ${families.length} families, in vector order.`,
    '`extractTextFeatures(text)` returns them as a `Float64Array` in this order; `textFeatureRecord(text)` as',
    'a name -> value record. Every value is finite for every input string (empty text gives zeros except where',
    'a definition says otherwise). Training and serving both call this one function.',
    '',
    'Units: a **word** is a maximal run of letters/digits/combining marks with single internal `\'` `’` `.` or',
    '`-` allowed ("doesn\'t", "e-mail", "3.5" are one word), lower-cased for lexical features; a **sentence** is',
    'a wink-nlp sentence containing at least one word; a **tagged token** is a wink-nlp token whose universal',
    'POS tag is not PUNCT, SYM or SPACE (wink splits contractions: "do" + "n\'t"); a **char** is a Unicode',
    'code point. "Per sentence" rates divide by max(1, sentence_count) when the text has words.',
    '',
    'POS tags come from wink-nlp with wink-eng-lite-web-model (MIT, shipped in npm, loaded at the first text, no downloads). wink-nlp learns every new word it reads; the extractor makes it forget them before each text, so a text\'s tags do not depend on the texts read before it (loaded again after 100,000 forgotten words).',
    'wink has no dependency parser, so `syntax_tree_depth` and `average_dependency_length` are documented',
    'proxies, not parser outputs. Features marked (J-Detector) are the 23 linguistic features of the public',
    'J-Detector re-implementation, under the same names (their definitions there are not published; ours are',
    'stated here). Every word and phrase list is our own (src/features/lexicons.ts); none is copied from a',
    'data set (text-features/1.1.0 used the HC3 indicating-word files, which are data, so 1.2.0 replaced them).',
    '',
    'Linear time, no truncation: wink\'s tokenizer is quadratic in token length, so the tagger (only) sees each',
    'white-space-free run longer than 64 UTF-16 units cut to its first 32 (same offsets, rest blanked), and',
    'reads the text in pieces of at most 4000 units cut at blank lines first (where wink ends sentences',
    'anyway), then line breaks, sentence ends, white space. Words are counted on the original text and each',
    'word belongs to the sentence whose first token starts at or before it, so sentence lengths sum to',
    '`word_count`. Counts are raw (not log-scaled); heads should standardise them.',
    '',
    '| # | name | family | description |',
    '|---:|---|---|---|',
    ...TEXT_FEATURES.map((f, i) => `| ${i} | \`${f.name}\` | ${f.family} | ${cell(f.description)} |`),
    '',
  ];
  return lines.join('\n');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'FEATURES.md');
  writeFileSync(target, renderFeaturesMarkdown());
  console.log(`wrote ${target}`);
}
