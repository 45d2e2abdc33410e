/**
 * Linguistic feature extractor: text -> named, versioned feature vector.
 *
 * Pure and deterministic (no I/O, no clock, no randomness), used by both training and serving, so the
 * two can never disagree. Every value is finite for every input string (empty, one word, huge, emoji,
 * right-to-left, CJK, lone surrogates); work is linear in the length of the text.
 *
 * Units (see docs/FEATURES.md for every feature):
 * - "word": a maximal run of letters/digits/combining marks, allowing single internal ' ’ . or -
 *   between such runs (so "doesn't", "e-mail", "3.5" and "U.S" are one word each). Word-level
 *   features (counts, lengths, lexical diversity, function words, hedges, n-grams, readability) use
 *   these words, lower-cased, with ’ normalised to '.
 * - "sentence": a sentence found by wink-nlp's sentence boundary detector that contains at least one
 *   word.
 * - "tagged token": a wink-nlp token whose universal POS tag is not PUNCT, SYM or SPACE. POS ratios,
 *   passive voice, subordinate clauses and the two syntax proxies use wink tokens and tags. wink
 *   splits contractions ("do" + "n't"), so tagged tokens and words differ slightly in number.
 * - "char": a Unicode code point.
 *
 * POS tags come from wink-nlp + wink-eng-lite-web-model (MIT; the model ships inside the npm package;
 * nothing is downloaded). The model is loaded once, lazily, on the first call. Only the sbd and pos
 * pipes run. wink has no dependency parser: syntax_tree_depth and average_dependency_length are
 * documented proxies computed from POS tags and punctuation.
 *
 * Two documented bounds keep the tagger linear (wink's tokenizer is quadratic in token length, e.g. 12 s
 * for one 100,000-char token): (1) the tagger sees taggerView(text), in which a white-space-free run
 * longer than 64 UTF-16 units keeps its first 32 units and the rest becomes spaces (same length, same
 * offsets; real words, numbers and most URLs are shorter); (2) the tagger reads the text in pieces of at
 * most 4000 units cut at a paragraph break (blank line), else a line break, else after . ! ? , else at
 * white space. wink already ends sentences at blank lines, so (2) changes nothing unless one paragraph is
 * longer than 4000 units. Words are always counted on the original text, and each word is assigned to
 * the sentence whose first token starts at or before it, so sentence lengths add up to word_count.
 * Nothing is truncated or sampled: every char of a 200,000-char text is read.
 */
import { createRequire } from 'node:module';
import type winkNLPFactory from 'wink-nlp';
import {
  BE_FORMS,
  CONTRACTION_SUFFIXES,
  DISCOURSE_PHRASES,
  DISCOURSE_WORDS,
  FIRST_PERSON_PLURAL,
  FIRST_PERSON_SINGULAR,
  FUNCTION_WORDS,
  HEDGE_PHRASES,
  HEDGE_WORDS,
  IRREGULAR_PARTICIPLES,
  RELATIVE_WORDS,
  SECOND_PERSON,
  S_CONTRACTION_STEMS,
  LLM_PHRASES_EN,
  HUMAN_PHRASES_EN,
  LLM_PHRASES_ZH,
  HUMAN_PHRASES_ZH,
} from './lexicons.js';

/** Bump whenever any feature's definition, order or word list changes (trained heads record it). */
export const TEXT_FEATURE_VERSION = 'text-features/1.2.0';

export interface TextFeatureSpec {
  readonly name: string;
  readonly family: string;
  readonly description: string;
}

const SPECS = [
  // ---- length & structure
  { name: 'char_count', family: 'length', description: 'Number of Unicode code points in the text. (J-Detector)' },
  { name: 'word_count', family: 'length', description: 'Number of words (runs of letters/digits/marks, internal \' ’ . - allowed). (J-Detector)' },
  { name: 'sentence_count', family: 'length', description: 'Number of sentences (wink-nlp sentence boundaries) that contain at least one word. (J-Detector)' },
  { name: 'paragraph_count', family: 'length', description: 'Number of paragraphs: blocks of non-empty lines separated by blank lines; if the text has no blank line, every non-empty line is a paragraph. (J-Detector)' },
  { name: 'avg_paragraph_length', family: 'length', description: 'word_count / paragraph_count (0 when there is no paragraph).' },
  // ---- layout / markdown / whitespace
  { name: 'list_count', family: 'layout', description: 'Number of list-item lines: a line starting with -, *, +, •, ◦, ▪, ‣, – or 1-3 digits followed by . or ) and a space. (J-Detector)' },
  { name: 'list_item_ratio', family: 'layout', description: 'list_count / number of non-empty lines.' },
  { name: 'heading_count', family: 'layout', description: 'Number of markdown ATX heading lines (up to 3 spaces, 1-6 #, a space, text).' },
  { name: 'markdown_emphasis_count', family: 'layout', description: 'Number of markdown bold spans **text** or __text__ (within one line).' },
  { name: 'code_block_count', family: 'layout', description: 'Number of fenced code blocks: lines starting with ``` or ~~~, counted in pairs (an unclosed fence counts as one block).' },
  { name: 'newline_rate', family: 'layout', description: 'Line breaks (\\n) per word (0 without words).' },
  { name: 'blank_line_ratio', family: 'layout', description: 'Blank (white-space only) lines / all lines, lines split on \\n; 0 when no line has content.' },
  { name: 'double_space_rate', family: 'layout', description: 'Runs of 2+ spaces between two non-space chars on one line (e.g. two spaces after a full stop; not indentation or trailing space) per sentence.' },
  { name: 'reference_count', family: 'layout', description: 'Number of references: URLs (http(s):// or www.), DOIs, bracketed numeric citations like [1] or [2, 3-5], author-year citations like (Smith, 2020) or (Smith et al. 2020), and other "et al." mentions. (J-Detector)' },
  // ---- sentence length
  { name: 'avg_sentence_length', family: 'sentence', description: 'Mean words per sentence (0 without sentences). (J-Detector)' },
  { name: 'sentence_length_std', family: 'sentence', description: 'Population standard deviation of words per sentence.' },
  { name: 'sentence_length_cv', family: 'sentence', description: 'Coefficient of variation of sentence length: std / mean (0 when mean is 0).' },
  { name: 'burstiness', family: 'sentence', description: 'Goh-Barabási burstiness of sentence length, (std - mean) / (std + mean), in [-1, 1] (0 without sentences). Uniform sentence lengths give -1.' },
  { name: 'short_sentence_ratio', family: 'sentence', description: 'Share of sentences with at most 8 words.' },
  { name: 'long_sentence_ratio', family: 'sentence', description: 'Share of sentences with at least 30 words.' },
  { name: 'lowercase_sentence_start_ratio', family: 'sentence', description: 'Share of sentences whose first word starts with a lower-case letter (Unicode Ll).' },
  // ---- word length
  { name: 'average_word_length', family: 'word-length', description: 'Mean word length in letters/digits/marks (internal apostrophes, dots and hyphens not counted). (J-Detector)' },
  { name: 'word_length_std', family: 'word-length', description: 'Population standard deviation of word length.' },
  { name: 'short_word_ratio', family: 'word-length', description: 'Share of words of length at most 3.' },
  { name: 'long_word_ratio', family: 'word-length', description: 'Share of words of length at least 7.' },
  { name: 'syllables_per_word', family: 'word-length', description: 'Mean syllables per word (vowel-group heuristic for Latin-script words, 1 for other words).' },
  { name: 'polysyllable_ratio', family: 'word-length', description: 'Share of words with at least 3 syllables.' },
  // ---- lexical diversity
  { name: 'unique_words', family: 'lexical', description: 'Number of distinct lower-cased words (types). (J-Detector)' },
  { name: 'vocab_diversity', family: 'lexical', description: 'Type-token ratio: unique_words / word_count (0 without words). (J-Detector)' },
  { name: 'root_ttr', family: 'lexical', description: 'Guiraud\'s root type-token ratio: unique_words / sqrt(word_count).' },
  { name: 'mtld', family: 'lexical', description: 'MTLD (McCarthy & Jarvis 2010), length-robust lexical diversity: mean of forward and backward passes, factor closes when the running TTR falls to 0.72 or below, partial last factor; a pass with zero factors gives word_count.' },
  { name: 'mattr', family: 'lexical', description: 'Moving-average type-token ratio (Covington & McFall 2010) over windows of 50 words; plain TTR for texts under 50 words.' },
  { name: 'hapax_ratio', family: 'lexical', description: 'Hapax legomena (words occurring exactly once) / word_count.' },
  { name: 'yule_k', family: 'lexical', description: 'Yule\'s K = 10000 * (sum f^2 - N) / N^2 over word frequencies f, N = word_count (0 without words); length-robust repetitiveness.' },
  // ---- readability
  { name: 'flesch_reading_ease', family: 'readability', description: 'Flesch reading ease 206.835 - 1.015 W/S - 84.6 Y/W (W words, S sentences (at least 1), Y syllables); 0 without words; clipped to ±1000.' },
  { name: 'flesch_kincaid_grade', family: 'readability', description: 'Flesch-Kincaid grade 0.39 W/S + 11.8 Y/W - 15.59; 0 without words; clipped to ±1000.' },
  { name: 'coleman_liau', family: 'readability', description: 'Coleman-Liau index 0.0588 L - 0.296 S100 - 15.8 (L letters per 100 words, S100 sentences per 100 words); 0 without words; clipped to ±1000. (J-Detector)' },
  { name: 'automated_readability_index', family: 'readability', description: 'ARI 4.71 C/W + 0.5 W/S - 21.43 (C letters and digits in words); 0 without words; clipped to ±1000.' },
  { name: 'smog_index', family: 'readability', description: 'SMOG 1.0430 sqrt(P * 30 / S) + 3.1291 (P words with 3+ syllables); 0 without words; clipped to ±1000.' },
  // ---- punctuation
  { name: 'punctuation_count', family: 'punctuation', description: 'Number of code points in Unicode punctuation categories (P*), apostrophes included. (J-Detector)' },
  { name: 'punctuation_rate', family: 'punctuation', description: 'punctuation_count / word_count (0 without words).' },
  { name: 'comma_per_sentence', family: 'punctuation', description: 'Commas (, ，、) per sentence (sentences: at least 1).' },
  { name: 'semicolon_per_sentence', family: 'punctuation', description: 'Semicolons (; ；) per sentence.' },
  { name: 'colon_per_sentence', family: 'punctuation', description: 'Colons (: ：) per sentence, not counting those inside URLs (://) or between digits (12:30).' },
  { name: 'dash_per_sentence', family: 'punctuation', description: 'Dashes per sentence: em dash —, en dash –, "--", and a hyphen with a space before and white space after that is not the first non-space char of its line (list bullets are not dashes).' },
  { name: 'em_dash_per_sentence', family: 'punctuation', description: 'Em dashes (—, U+2014) per sentence (also counted in dash_per_sentence).' },
  { name: 'quote_per_sentence', family: 'punctuation', description: 'Quotation marks per sentence: " “ ” „ « » and ‘ ’ \' when not between two letters (apostrophes are not quotes).' },
  { name: 'parenthesis_per_sentence', family: 'punctuation', description: 'Opening parentheses and brackets ( [ （ per sentence.' },
  { name: 'exclamation_per_sentence', family: 'punctuation', description: 'Exclamation marks (! ！) per sentence.' },
  { name: 'question_per_sentence', family: 'punctuation', description: 'Question marks (? ？) per sentence.' },
  { name: 'ellipsis_per_sentence', family: 'punctuation', description: 'Ellipses per sentence: … or a run of 3+ dots (counted once per run).' },
  // ---- function words
  { name: 'function_word_rate', family: 'function-words', description: 'Share of words in a closed list of ~190 English function words (articles, pronouns, prepositions, conjunctions, auxiliaries, particles).' },
  { name: 'stopword_rate', family: 'function-words', description: 'Share of tagged tokens that wink-nlp flags as stop words.' },
  // ---- part of speech (shares of tagged tokens)
  { name: 'noun_ratio', family: 'pos', description: 'Share of tagged tokens tagged NOUN.' },
  { name: 'proper_noun_ratio', family: 'pos', description: 'Share of tagged tokens tagged PROPN.' },
  { name: 'verb_ratio', family: 'pos', description: 'Share of tagged tokens tagged VERB.' },
  { name: 'auxiliary_ratio', family: 'pos', description: 'Share of tagged tokens tagged AUX.' },
  { name: 'adjective_ratio', family: 'pos', description: 'Share of tagged tokens tagged ADJ. (J-Detector)' },
  { name: 'adverb_ratio', family: 'pos', description: 'Share of tagged tokens tagged ADV. (J-Detector)' },
  { name: 'pronoun_ratio', family: 'pos', description: 'Share of tagged tokens tagged PRON. (J-Detector)' },
  { name: 'determiner_ratio', family: 'pos', description: 'Share of tagged tokens tagged DET.' },
  { name: 'adposition_ratio', family: 'pos', description: 'Share of tagged tokens tagged ADP.' },
  { name: 'conjunction_ratio', family: 'pos', description: 'Share of tagged tokens tagged CCONJ.' },
  { name: 'numeral_ratio', family: 'pos', description: 'Share of tagged tokens tagged NUM.' },
  { name: 'interjection_ratio', family: 'pos', description: 'Share of tagged tokens tagged INTJ.' },
  { name: 'noun_verb_ratio', family: 'pos', description: '(NOUN + PROPN) / VERB tokens; when there is no VERB, (NOUN + PROPN) / 1. (J-Detector)' },
  // ---- person
  { name: 'first_person_singular_rate', family: 'person', description: 'Share of words that are I/me/my/mine/myself (also I\'m, I\'ve, ...).' },
  { name: 'first_person_plural_rate', family: 'person', description: 'Share of words that are we/us/our/ours/ourselves (also we\'re, ...).' },
  { name: 'second_person_rate', family: 'person', description: 'Share of words that are you/your/yours/yourself/yourselves (also you\'re, ...).' },
  // ---- syntax (POS-based; wink has no dependency parser)
  { name: 'passive_voice_ratio', family: 'syntax', description: 'Share of sentences with a passive construction: a form of "be" (be/am/is/are/was/were/been/being), up to 3 ADV/PART tokens, then a VERB-tagged past participle (-ed, -en or an irregular participle list). (J-Detector)' },
  { name: 'subordinate_clause_rate', family: 'syntax', description: 'Subordinators per sentence: SCONJ-tagged tokens plus relative wh-words (who, whom, whose, which, whoever, ...) that are not sentence-initial. (J-Detector)' },
  { name: 'syntax_tree_depth', family: 'syntax', description: 'PROXY for parse-tree depth (no dependency parser in wink): mean over sentences of the maximum clause-nesting level, starting at 1; a subordinator or ( [ opens a level, ) ] , ; : — – closes one (never below 1). (J-Detector)' },
  { name: 'average_dependency_length', family: 'syntax', description: 'PROXY for mean dependency distance (no dependency parser in wink): mean distance, in tagged tokens, from each non-verb tagged token to the nearest VERB in its sentence (AUX when the sentence has no VERB; sentences with neither are skipped). (J-Detector)' },
  // ---- style
  { name: 'contraction_rate', family: 'style', description: 'Contractions per word: words ending in n\'t, \'re, \'ve, \'ll, \'d, \'m, y\'all, or \'s after a pronoun-like stem (it\'s, that\'s, let\'s, ...; possessives are not counted). (J-Detector)' },
  { name: 'hedging_frequency', family: 'style', description: 'Hedges per word: may, might, could, perhaps, possibly, probably, likely, seems, suggests, generally, typically, usually, often, somewhat, ... and "I think", "I believe", "in general", "sort of", ... (J-Detector)' },
  { name: 'discourse_marker_rate', family: 'style', description: 'Discourse markers per sentence: however, therefore, moreover, furthermore, additionally, thus, finally, ... and "in addition", "for example", "in conclusion", "on the other hand", ... (J-Detector)' },
  { name: 'repeated_bigram_ratio', family: 'style', description: 'Share of word bigram occurrences whose lower-cased bigram occurs at least twice in the text.' },
  { name: 'repeated_trigram_ratio', family: 'style', description: 'Share of word trigram occurrences whose lower-cased trigram occurs at least twice in the text.' },
  // ---- stock phrases (our lists in lexicons.ts)
  { name: 'llm_phrase_rate', family: 'phrases', description: 'Matches of stock chat-assistant phrases (English, our list in lexicons.ts: "As an AI", "I hope this helps", "It is important to note", "delve into", ...) per 100 words; case-insensitive, whole words.' },
  { name: 'human_phrase_rate', family: 'phrases', description: 'Matches of informal human markers (English, our list: "lol", "imo", "gonna", "haha", ":)", "edit:", ...) per 100 words; case-insensitive, whole words.' },
  { name: 'zh_llm_phrase_rate', family: 'phrases', description: 'Matches of stock chat-assistant phrases (Chinese, our list: 作为一个语言模型, 总的来说, 需要注意的是, ...) per 1000 chars.' },
  { name: 'zh_human_phrase_rate', family: 'phrases', description: 'Matches of informal human markers (Chinese, our list: 哈哈, 我觉得, 说实话, ...) per 1000 chars.' },
  // ---- characters
  { name: 'uppercase_ratio', family: 'characters', description: 'Upper-case letters / letters (0 without letters).' },
  { name: 'all_caps_word_ratio', family: 'characters', description: 'Share of words with at least 2 letters, all of them upper case.' },
  { name: 'digit_ratio', family: 'characters', description: 'Decimal digits (Unicode Nd) / chars.' },
  { name: 'non_ascii_ratio', family: 'characters', description: 'Code points above U+007F / chars.' },
  { name: 'curly_quote_ratio', family: 'characters', description: 'Typographic quotes and apostrophes (‘ ’ “ ”) / all of ‘ ’ “ ” \' " (0 when there is none).' },
  { name: 'cjk_ratio', family: 'characters', description: 'Han, Hiragana, Katakana and Hangul code points / chars.' },
  { name: 'emoji_ratio', family: 'characters', description: 'Extended_Pictographic code points (emoji) / chars.' },
  { name: 'whitespace_ratio', family: 'characters', description: 'White-space code points / chars.' },
] as const satisfies readonly TextFeatureSpec[];

export type TextFeatureName = (typeof SPECS)[number]['name'];

export const TEXT_FEATURES: readonly TextFeatureSpec[] = Object.freeze(SPECS.map((s) => Object.freeze({ ...s })));

const IDX = Object.fromEntries(SPECS.map((s, i) => [s.name, i])) as Record<TextFeatureName, number>;

// ------------------------------------------------------------------------------------------------
// wink-nlp, loaded on first use (and again after FORGET_RELOAD_WORDS forgotten words, below)

// Required lazily (importing this module stays cheap: the model takes ~100-200 ms and ~40 MB to load).
//
// wink-nlp remembers every word it has not seen in its model: the word joins the lexicon, and the tokenizer
// then finds it there (a possessive such as "John's" once kept whole stays whole in every later document,
// where a fresh instance splits it into "John" + "'s"), and new values of its packed features take the next
// free codes. So a text's part-of-speech counts depended on the texts the process had read before it (8 of
// 1,500 test texts differed after reading the others). `forgetWords` puts the instance back to what it knew
// when loaded before each text: the words' hash entries go (the lexicon's own list and its properties grow
// in step inside wink-nlp and cannot be cut; a word read again is added again), the other features' new
// values go entirely. Once the kept list passes FORGET_RELOAD_WORDS entries beyond the model's, the instance is
// loaded again (67 ms here, the model's files being read already).
type Nlp = ReturnType<typeof winkNLPFactory>;
type WinkModel = Parameters<typeof winkNLPFactory>[0];
interface WinkFeature {
  list?: string[];
  hash?: Record<string, number>;
  index?: number;
}
const FORGET_RELOAD_WORDS = 100_000;

let loads = 0;
/** How many times the wink-nlp instance was loaded (1 after the first text; more after reloads): /metrics. */
export function featureModelLoads(): number {
  return loads;
}
let nlpSingleton: Nlp | undefined;
let forgetWords: (() => void) | undefined;
let metaCER: unknown;
function nlp(): Nlp {
  if (nlpSingleton === undefined) {
    const require = createRequire(import.meta.url);
    const winkNLP = require('wink-nlp') as typeof winkNLPFactory;
    const pkg = require('wink-eng-lite-web-model') as WinkModel & { core: () => { features: Record<string, WinkFeature> }; metaCER: () => unknown };
    let core: { features: Record<string, WinkFeature> } | undefined;
    // the core model wink-nlp keeps (a fresh copy per load); metaCER once (it re-encodes its data at each call)
    const model = { ...pkg, core: () => (core = pkg.core()), metaCER: () => (metaCER ??= pkg.metaCER()) } as WinkModel;
    nlpSingleton = winkNLP(model, ['sbd', 'pos']);
    loads++;
    const features = core!.features;
    // per feature: its size when loaded, and where the entries not yet forgotten start (the lexicon's list is
    // never cut, so its forgotten part is skipped: each text costs only its own new words)
    const kept = Object.entries(features)
      .filter(([, f]) => f.hash && Array.isArray(f.list))
      .map(([name, f]) => ({ f, n: f.list!.length, from: f.list!.length, lexeme: name === 'lexeme' }));
    forgetWords = () => {
      for (const k of kept) {
        const { f } = k;
        for (let i = k.from; i < f.list!.length; i++) delete f.hash![f.list![i]];
        if (k.lexeme) {
          k.from = f.list!.length;
          if (f.list!.length > k.n + FORGET_RELOAD_WORDS) nlpSingleton = undefined;
        } else {
          f.list!.length = k.n;
          f.index = k.n;
        }
      }
    };
  }
  return nlpSingleton;
}

/**
 * Loads the wink-nlp model now instead of on the first extraction (call it at server start so the
 * first request does not pay for it). Idempotent.
 */
export function loadTextFeatureModel(): void {
  nlp();
}

// ------------------------------------------------------------------------------------------------
// helpers

const WORD_RE = /[\p{L}\p{N}\p{M}]+(?:['’.\-][\p{L}\p{N}\p{M}]+)*/gu;
const LETTER_RE = /\p{L}/u;
const UPPER_RE = /\p{Lu}/u;
const DIGIT_RE = /\p{Nd}/u;
const PUNCT_RE = /\p{P}/u;
const SPACE_RE = /\s/u;
const EMOJI_RE = /\p{Extended_Pictographic}/u;
const CJK_RE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LIST_RE = /^\s*(?:[-*+•◦▪‣–]|\d{1,3}[.)])\s+\S/;
const HEADING_RE = /^ {0,3}#{1,6}\s+\S/;
const FENCE_RE = /^\s*(?:```|~~~)/;
const EMPHASIS_RE = /\*\*[^*\n]+\*\*|__[^_\n]+__/g;
const REFERENCE_RE =
  /https?:\/\/[^\s<>()"]+|\bwww\.[^\s<>()"]+|\bdoi:\s*\S+|\b10\.\d{4,9}\/[^\s<>()"]+|\[\d{1,4}(?:\s*[,–-]\s*\d{1,4})*\]|\([A-Z][\p{L}'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\p{L}'’-]+)?,?\s+(?:1[89]|20)\d{2}[a-z]?\)|\bet\s+al\./gu;

// ASCII punctuation in Unicode category P (the rest of ASCII's "symbols" $+<=>^`|~ are category S).
const ASCII_PUNCT = new Uint8Array(128);
for (const c of '!"#%&\'()*,-./:;?@[\\]_{}') ASCII_PUNCT[c.charCodeAt(0)] = 1;

function put(out: Float64Array, name: TextFeatureName, v: number): void {
  out[IDX[name]] = Number.isFinite(v) ? v : 0;
}
function clip(x: number, lim: number): number {
  return x > lim ? lim : x < -lim ? -lim : x;
}
function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
function isLetterCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function isVowelCode(c: number): boolean {
  return c === 97 || c === 101 || c === 105 || c === 111 || c === 117 || c === 121; // a e i o u y
}
const SYL_BUF = new Uint16Array(64);

/**
 * Syllables of a lower-case word: a vowel-group heuristic for words made of a-z (internal ' ’ . - and
 * digits ignored), 1 for any other word (non-Latin or accented letters). Words of up to 3 letters have 1.
 * Vowels are a e i o u y; a silent final e is dropped (make), but not in -le after a consonant (table);
 * -ed is dropped unless after t/d or a vowel (jumped 1, wanted 2); -es is dropped after a consonant
 * other than s x z c g h (makes 1, boxes 2). Never below 1.
 */
export function countSyllables(word: string): number {
  let n = 0;
  let buf = SYL_BUF;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      if (n === buf.length) { const b = new Uint16Array(buf.length * 2); b.set(buf); buf = b; }
      buf[n++] = c;
    } else if (c === 39 || c === 0x2019 || c === 45 || c === 46 || (c >= 48 && c <= 57)) continue;
    else return 1;
  }
  if (n <= 3) return 1;
  let groups = 0;
  let prevVowel = false;
  for (let i = 0; i < n; i++) {
    const v = isVowelCode(buf[i]!);
    if (v && !prevVowel) groups++;
    prevVowel = v;
  }
  const last = buf[n - 1]!;
  const prev = buf[n - 2]!;
  const prev2 = buf[n - 3]!;
  const E = 101, L = 108, D = 100, S = 115, T = 116;
  if (last === E && prev !== L && !isVowelCode(prev)) groups--; // silent final e: make, stone
  else if (last === E && prev === L && isVowelCode(prev2)) groups--; // whale, role
  else if (last === D && prev === E && prev2 !== T && prev2 !== D && !isVowelCode(prev2)) groups--; // jumped
  else if (last === S && prev === E && !isVowelCode(prev2) && prev2 !== S && prev2 !== 120 && prev2 !== 122 && prev2 !== 99 && prev2 !== 103 && prev2 !== 104) groups--; // makes; not boxes, pages, wishes
  return groups < 1 ? 1 : groups;
}

/** Multi-word phrase table keyed by first word. */
function phraseTable(phrases: readonly string[]): Map<string, string[][]> {
  const m = new Map<string, string[][]>();
  for (const p of phrases) {
    const parts = p.split(' ');
    const list = m.get(parts[0]!) ?? [];
    list.push(parts);
    m.set(parts[0]!, list);
  }
  return m;
}
const HEDGE_TABLE = phraseTable(HEDGE_PHRASES);
const DISCOURSE_TABLE = phraseTable(DISCOURSE_PHRASES);

/**
 * Counts single words and (non-overlapping, longest-first) multi-word phrases in a word list, looking
 * only at `positions` (ascending indices of words that may match; other words never do).
 */
function countLexicon(
  words: readonly string[], positions: readonly number[], single: ReadonlySet<string>, table: Map<string, string[][]>,
): number {
  let count = 0;
  let next = 0; // first index not covered by a previous phrase
  for (const i of positions) {
    if (i < next) continue;
    const w = words[i]!;
    const cands = table.get(w);
    let matched = 0;
    if (cands !== undefined) {
      for (const parts of cands) {
        if (parts.length <= matched || i + parts.length > words.length) continue;
        let ok = true;
        for (let k = 1; k < parts.length; k++) {
          if (words[i + k] !== parts[k]) { ok = false; break; }
        }
        if (ok) matched = parts.length;
      }
    }
    if (matched > 0) {
      count++;
      next = i + matched;
    } else if (single.has(w)) {
      count++;
    }
  }
  return count;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
const LATIN_OR_DIGIT_START = /^[\p{Script=Latin}\p{N}]/u;
const LATIN_OR_DIGIT_END = /[\p{Script=Latin}\p{N}]$/u;
/** Regex source for one phrase: case-insensitive, any white space between parts, ' also matches ’,
 * and a phrase that begins/ends with a Latin letter or digit must begin/end on a word boundary. */
function phrasePattern(p: string): string {
  const body = p
    .split(/\s+/)
    .map((part) => escapeRe(part).replace(/'/g, "['’]"))
    .join('\\s+');
  const pre = LATIN_OR_DIGIT_START.test(p) ? '(?<![\\p{L}\\p{N}])' : '';
  const post = LATIN_OR_DIGIT_END.test(p) ? '(?![\\p{L}\\p{N}])' : '';
  return pre + body + post;
}
function countMatches(re: RegExp | null, text: string): number {
  if (re === null) return 0;
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n++;
  return n;
}

/** First words of all word-anchored phrases (HC3, hedges, discourse markers). */
const PHRASE_FIRST_WORDS = new Set<string>();

/**
 * Counts non-overlapping occurrences of a phrase list, like one case-insensitive regex alternation
 * scanned left to right (longest phrase first at a position), but anchored on words so it costs one
 * Map lookup per word: a phrase that starts with a word is tried only where its first word occurs,
 * and then verified on the raw text with a sticky regex. Phrases without a leading word (":)", "@") and
 * phrases containing CJK chars (which sit inside longer CJK "words") use a plain global regex.
 */
class PhraseMatcher {
  private readonly byFirstWord = new Map<string, { words: number; re: RegExp }[]>();
  private readonly other: RegExp | null;
  private readonly otherNeedsCjk: boolean;

  constructor(phrases: readonly string[]) {
    const others: string[] = [];
    const sorted = [...phrases].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
    for (const p of sorted) {
      const ws = p.match(WORD_RE) ?? [];
      if (CJK_RE.test(p) || ws.length === 0 || !p.startsWith(ws[0]!)) {
        others.push(p);
        continue;
      }
      const first = ws[0]!.toLowerCase().replace(/’/g, "'");
      PHRASE_FIRST_WORDS.add(first);
      const list = this.byFirstWord.get(first) ?? [];
      list.push({ words: ws.length, re: new RegExp(phrasePattern(p), 'iuy') });
      this.byFirstWord.set(first, list);
    }
    this.other = others.length > 0 ? new RegExp(others.map(phrasePattern).join('|'), 'giu') : null;
    this.otherNeedsCjk = others.length > 0 && others.every((p) => CJK_RE.test(p));
  }

  /** positions: ascending indices of the words that are the first word of some phrase (PHRASE_FIRST_WORDS). */
  count(text: string, words: readonly string[], starts: ArrayLike<number>, positions: readonly number[], hasCjk: boolean): number {
    let n = 0;
    if (this.byFirstWord.size > 0) {
      let next = 0;
      for (const i of positions) {
        if (i < next) continue;
        const cands = this.byFirstWord.get(words[i]!);
        if (cands === undefined) continue;
        for (const c of cands) {
          c.re.lastIndex = starts[i]!;
          if (c.re.test(text)) {
            n++;
            next = i + c.words;
            break;
          }
        }
      }
    }
    if (this.other !== null && (hasCjk || !this.otherNeedsCjk)) n += countMatches(this.other, text);
    return n;
  }
}
const LLM_EN_M = new PhraseMatcher(LLM_PHRASES_EN);
const HUMAN_EN_M = new PhraseMatcher(HUMAN_PHRASES_EN);
const LLM_ZH_M = new PhraseMatcher(LLM_PHRASES_ZH);
const HUMAN_ZH_M = new PhraseMatcher(HUMAN_PHRASES_ZH);
for (const table of [HEDGE_TABLE, DISCOURSE_TABLE]) for (const first of table.keys()) PHRASE_FIRST_WORDS.add(first);

const F_CONTRACTION = 1;
const F_FUNCTION = 2;
const F_P1S = 4;
const F_P1P = 8;
const F_P2 = 16;
const F_LEX = 32; // single hedge / discourse word, or first word of a phrase
/** Per-type flags of a lower-cased word (’ already normalised to '). */
function wordFlags(lower: string): number {
  let f = 0;
  const ap = lower.indexOf("'");
  const stem = ap >= 0 ? lower.slice(0, ap) : lower;
  if (ap >= 0) {
    const suffix = lower.slice(ap + 1);
    const isContraction =
      suffix === 't' ? stem.endsWith('n')
        : suffix === 'all' ? stem === 'y'
          : CONTRACTION_SUFFIXES.has(suffix) || (suffix === 's' && S_CONTRACTION_STEMS.has(stem));
    if (isContraction) f |= F_CONTRACTION;
  }
  if (FUNCTION_WORDS.has(lower)) f |= F_FUNCTION;
  if (FIRST_PERSON_SINGULAR.has(stem)) f |= F_P1S;
  else if (FIRST_PERSON_PLURAL.has(stem)) f |= F_P1P;
  else if (SECOND_PERSON.has(stem)) f |= F_P2;
  if (HEDGE_WORDS.has(lower) || DISCOURSE_WORDS.has(lower) || PHRASE_FIRST_WORDS.has(lower)) f |= F_LEX;
  return f;
}

function isParticiple(w: string): boolean {
  if (IRREGULAR_PARTICIPLES.has(w)) return true;
  return w.length > 3 && (w.endsWith('ed') || w.endsWith('en'));
}

function meanStd(xs: ArrayLike<number>, n: number): [number, number] {
  if (n === 0) return [0, 0];
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i]! - m) * (xs[i]! - m);
  return [m, Math.sqrt(v / n)];
}

/** Moving-average TTR over windows of `w` ids (plain TTR when shorter); linear. */
function mattr(ids: Int32Array, vocab: number, w: number): number {
  const n = ids.length;
  if (n === 0) return 0;
  const counts = new Int32Array(vocab);
  if (n < w) {
    let distinct = 0;
    for (let i = 0; i < n; i++) if (counts[ids[i]!]!++ === 0) distinct++;
    return distinct / n;
  }
  let distinct = 0;
  for (let i = 0; i < w; i++) if (counts[ids[i]!]!++ === 0) distinct++;
  let sum = distinct;
  for (let i = w; i < n; i++) {
    if (--counts[ids[i - w]!]! === 0) distinct--;
    if (counts[ids[i]!]!++ === 0) distinct++;
    sum += distinct;
  }
  return sum / ((n - w + 1) * w);
}

const LOWER_RE = /\p{Ll}/u;
/** Whether the word starting at `at` begins with a lower-case letter. */
function startsLowerCase(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c < 128) return c >= 97 && c <= 122;
  const cp = text.codePointAt(at)!;
  return LOWER_RE.test(String.fromCodePoint(cp));
}

/** MTLD, one direction. `ids` are word type ids in [0, vocab). */
function mtldPass(ids: Int32Array, vocab: number, forward: boolean): number {
  const n = ids.length;
  if (n === 0) return 0;
  const stamp = new Int32Array(vocab).fill(-1);
  let factor = 0;
  let factors = 0;
  let tokens = 0;
  let types = 0;
  let ttr = 1;
  for (let k = 0; k < n; k++) {
    const id = ids[forward ? k : n - 1 - k]!;
    tokens++;
    if (stamp[id] !== factor) {
      stamp[id] = factor;
      types++;
    }
    ttr = types / tokens;
    if (ttr <= 0.72) {
      factors++;
      factor++;
      tokens = 0;
      types = 0;
      ttr = 1;
    }
  }
  if (tokens > 0) factors += (1 - ttr) / (1 - 0.72);
  return factors > 0 ? n / factors : n;
}

/**
 * Share of n-gram occurrences (n = 2 or 3, over type ids) whose n-gram occurs at least twice. Counted
 * with an open-addressing hash table on typed arrays: linear time, no string keys.
 */
function repeatedNgramRatio(ids: Int32Array, order: 2 | 3): number {
  const n = ids.length - order + 1;
  if (n <= 0) return 0;
  let size = 16;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const k1 = new Int32Array(size).fill(-1);
  const k2 = new Int32Array(size);
  const k3 = new Int32Array(size);
  const cnt = new Int32Array(size);
  for (let i = 0; i < n; i++) {
    const a = ids[i]!;
    const b = ids[i + 1]!;
    const c = order === 3 ? ids[i + 2]! : 0;
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b) ^ Math.imul(c + 0x165667b1, 0xc2b2ae35)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    while (k1[h] !== -1 && !(k1[h] === a && k2[h] === b && k3[h] === c)) h = (h + 1) & mask;
    if (k1[h] === -1) {
      k1[h] = a;
      k2[h] = b;
      k3[h] = c;
    }
    cnt[h]!++;
  }
  let rep = 0;
  for (let h = 0; h < size; h++) if (cnt[h]! >= 2) rep += cnt[h]!;
  return rep / n;
}

// ------------------------------------------------------------------------------------------------
// tagging: wink-nlp sentences + POS, in bounded pieces

/** A white-space-free run longer than this many UTF-16 units is cut to TAGGER_KEEP_RUN for the tagger. */
export const TAGGER_MAX_RUN = 64;
export const TAGGER_KEEP_RUN = 32;
/** The tagger reads the text in pieces of at most this many UTF-16 units (cut at paragraph breaks first). */
export const TAGGER_CHUNK = 4000;

interface SentenceStats {
  start: number; // offset of the sentence's first token in the text
  passive: boolean;
  subordinators: number;
  depth: number;
  depLenSum: number;
  depLenN: number;
}
interface Tagged {
  sentences: SentenceStats[];
  pos: Record<string, number>;
  tagged: number;
  stop: number;
}

function isSpaceCode(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return SPACE_RE.test(String.fromCharCode(c));
}

/**
 * The text as the tagger sees it: same length and offsets, but every white-space-free run longer than
 * TAGGER_MAX_RUN units keeps only its first TAGGER_KEEP_RUN units, the rest replaced by spaces. wink-nlp's
 * tokenizer is quadratic in token length (a 100,000-char token takes seconds); real words, numbers and
 * URLs are shorter than this. Only POS counts and sentence boundaries see the cut; words are counted on
 * the original text.
 */
export function taggerView(text: string): string {
  let out: string[] | null = null;
  let last = 0;
  let runStart = -1;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const space = i === n || isSpaceCode(text.charCodeAt(i));
    if (!space) {
      if (runStart < 0) runStart = i;
      continue;
    }
    if (runStart >= 0 && i - runStart > TAGGER_MAX_RUN) {
      let keep = runStart + TAGGER_KEEP_RUN;
      const c = text.charCodeAt(keep - 1);
      if (c >= 0xd800 && c <= 0xdbff) keep--; // do not split a surrogate pair
      (out ??= []).push(text.slice(last, keep), ' '.repeat(i - keep));
      last = i;
    }
    runStart = -1;
  }
  if (out === null) return text;
  out.push(text.slice(last));
  return out.join('');
}

/** End of the next piece starting at `start`: a paragraph break, else a line break, else after a sentence end, else white space. */
function pieceEnd(view: string, start: number): number {
  const limit = start + TAGGER_CHUNK;
  if (limit >= view.length) return view.length;
  // every search below stays inside (start, limit): linear overall
  for (let i = limit - 1; i > start; i--) if (view.charCodeAt(i) === 10 && view.charCodeAt(i - 1) === 10) return i + 1;
  for (let i = limit - 1; i > start; i--) if (view.charCodeAt(i) === 10) return i + 1;
  for (let i = limit - 1; i > start; i--) {
    const c = view.charCodeAt(i);
    const p = view.charCodeAt(i - 1);
    if ((c === 32 || c === 9) && (p === 46 || p === 33 || p === 63)) return i + 1;
  }
  for (let i = limit - 1; i > start; i--) if (isSpaceCode(view.charCodeAt(i))) return i + 1;
  const c = view.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

function tagSentences(text: string): Tagged {
  const view = taggerView(text);
  const res: Tagged = { sentences: [], pos: Object.create(null) as Record<string, number>, tagged: 0, stop: 0 };
  // every text is tagged as by a freshly loaded instance (see forgetWords; it may drop the instance to load it again)
  forgetWords?.();
  const w = nlp();
  const its = w.its;
  for (let base = 0; base < view.length; ) {
    const end = pieceEnd(view, base);
    const piece = view.slice(base, end);
    tagPiece(w, its, piece, base, res);
    base = end;
  }
  return res;
}

type Its = Nlp['its'];
let distBuf = new Int32Array(256);
function tagPiece(w: Nlp, its: Its, piece: string, base: number, res: Tagged): void {
  const doc = w.readDoc(piece);
  const tokens = doc.tokens();
  const values = tokens.out(its.value) as string[];
  const tags = tokens.out(its.pos) as string[];
  const stopFlags = tokens.out(its.stopWordFlag) as unknown as boolean[];
  const spans = doc.sentences().out(its.span) as unknown as [number, number][];
  // token offsets: each token value is found in the piece after the previous token
  const nTok = values.length;
  const offsets = new Int32Array(nTok);
  let cursor = 0;
  for (let k = 0; k < nTok; k++) {
    const v = values[k]!;
    const at = v.length > 0 ? piece.indexOf(v, cursor) : -1;
    if (at >= 0) {
      offsets[k] = base + at;
      cursor = at + v.length;
    } else offsets[k] = base + cursor;
  }
  const pos = res.pos;
  const taggedIdx: number[] = [];
  for (const span of spans) {
    const start = span[0];
    const end = span[1];
    if (!(end >= start)) continue;
    taggedIdx.length = 0;
    let passive = false;
    let subs = 0;
    let level = 1;
    let maxLevel = 1;
    let firstWord = true;
    for (let t = start; t <= end; t++) {
      const tag = tags[t]!;
      const v = values[t]!;
      if (tag === 'PUNCT') {
        if (v === '(' || v === '[') { level++; if (level > maxLevel) maxLevel = level; }
        else if (v === ')' || v === ']' || v === ',' || v === ';' || v === ':' || v === '—' || v === '–') {
          if (level > 1) level--;
        }
        continue;
      }
      if (tag === 'SYM' || tag === 'SPACE') continue;
      res.tagged++;
      if (stopFlags[t]) res.stop++;
      pos[tag] = (pos[tag] ?? 0) + 1;
      taggedIdx.push(t);
      const lower = tag === 'SCONJ' || tag === 'AUX' || tag === 'PRON' || tag === 'DET' || tag === 'ADV' ? v.toLowerCase() : '';
      const isSub = tag === 'SCONJ' || (!firstWord && lower !== '' && RELATIVE_WORDS.has(lower));
      firstWord = false;
      if (isSub) {
        subs++;
        level++;
        if (level > maxLevel) maxLevel = level;
      }
      if (!passive && tag === 'AUX' && BE_FORMS.has(lower)) {
        for (let k = t + 1, skipped = 0; k <= end && skipped <= 3; k++) {
          const tk = tags[k]!;
          if (tk === 'ADV' || tk === 'PART') { skipped++; continue; }
          if (tk === 'VERB' && isParticiple(values[k]!.toLowerCase())) passive = true;
          break;
        }
      }
    }
    // dependency-length proxy over the sentence's tagged tokens
    const nt = taggedIdx.length;
    let headTag = 'VERB';
    let hasHead = false;
    for (let k = 0; k < nt; k++) if (tags[taggedIdx[k]!] === 'VERB') { hasHead = true; break; }
    if (!hasHead) {
      headTag = 'AUX';
      for (let k = 0; k < nt; k++) if (tags[taggedIdx[k]!] === 'AUX') { hasHead = true; break; }
    }
    let depLenSum = 0;
    let depLenN = 0;
    if (hasHead) {
      if (distBuf.length < nt) distBuf = new Int32Array(Math.max(nt, distBuf.length * 2));
      const dist = distBuf;
      dist.fill(0x3fffffff, 0, nt);
      let last = -1;
      for (let k = 0; k < nt; k++) {
        if (tags[taggedIdx[k]!] === headTag) last = k;
        else if (last >= 0) dist[k] = k - last;
      }
      last = -1;
      for (let k = nt - 1; k >= 0; k--) {
        if (tags[taggedIdx[k]!] === headTag) last = k;
        else {
          if (last >= 0 && last - k < dist[k]!) dist[k] = last - k;
          depLenSum += dist[k]!;
          depLenN++;
        }
      }
    }
    res.sentences.push({ start: offsets[start]!, passive, subordinators: subs, depth: maxLevel, depLenSum, depLenN });
  }
}

// ------------------------------------------------------------------------------------------------
// extractor

/**
 * Extracts the text features, in the order of TEXT_FEATURES. Always finite. Never throws for a string
 * (non-string input throws TypeError).
 */
export function extractTextFeatures(text: string): Float64Array {
  if (typeof text !== 'string') throw new TypeError('extractTextFeatures expects a string');
  const out = new Float64Array(SPECS.length);

  // ---- characters: one pass over code points
  let chars = 0;
  let letters = 0;
  let upper = 0;
  let digits = 0;
  let nonAscii = 0;
  let cjk = 0;
  let emoji = 0;
  let spaces = 0;
  let newlines = 0;
  let punct = 0;
  let commas = 0;
  let semicolons = 0;
  let colons = 0;
  let dashes = 0;
  let quotes = 0;
  let parens = 0;
  let exclaims = 0;
  let questions = 0;
  let ellipses = 0;
  let dotRun = 0;
  const len = text.length;
  let prevCode = -1; // previous code point
  let lineHasContent = false; // a non-space char seen earlier on the current line
  let emDashes = 0;
  let doubleSpaces = 0;
  let spaceRun = 0;
  let spaceRunAfterContent = false;
  let straightQuotes = 0;
  let curlyQuotes = 0;
  for (let i = 0; i < len; i++) {
    let c = text.charCodeAt(i);
    let ch: string | undefined;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < len) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        ch = text.slice(i, i + 2);
        i++;
      }
    }
    chars++;
    const next = i + 1 < len ? text.charCodeAt(i + 1) : -1;
    if (c === 46) {
      dotRun++;
      if (dotRun === 3) ellipses++;
    } else dotRun = 0;
    if (c < 128) {
      if (c >= 65 && c <= 90) { letters++; upper++; }
      else if (c >= 97 && c <= 122) letters++;
      else if (c >= 48 && c <= 57) digits++;
      else if (c === 32 || c === 9 || c === 13 || c === 11 || c === 12) spaces++;
      else if (c === 10) { spaces++; newlines++; }
      if (ASCII_PUNCT[c] === 1) {
        punct++;
        switch (c) {
          case 44: commas++; break;
          case 59: semicolons++; break;
          case 58: {
            const url = next === 47; // "://"
            const clock = prevCode >= 48 && prevCode <= 57 && next >= 48 && next <= 57;
            if (!url && !clock) colons++;
            break;
          }
          case 45:
            if (next === 45 && prevCode !== 45) dashes++; // "--" (a longer run counts once)
            else if (lineHasContent && (prevCode === 32 || prevCode === 9) && (next === 32 || next === 10 || next === 9 || next === 13)) dashes++; // "a - b", not a list bullet
            break;
          case 34: quotes++; break;
          case 39: if (!(isLetterCode(prevCode) && isLetterCode(next))) quotes++; break;
          case 40: case 91: parens++; break;
          case 33: exclaims++; break;
          case 63: questions++; break;
        }
      }
    } else {
      nonAscii++;
      const s = ch ?? text[i]!;
      if (LETTER_RE.test(s)) {
        letters++;
        if (UPPER_RE.test(s)) upper++;
        if (CJK_RE.test(s)) cjk++;
      } else if (DIGIT_RE.test(s)) digits++;
      else if (SPACE_RE.test(s)) spaces++;
      else if (EMOJI_RE.test(s)) emoji++;
      if (PUNCT_RE.test(s)) {
        punct++;
        switch (c) {
          case 0xff0c: case 0x3001: commas++; break;
          case 0xff1b: semicolons++; break;
          case 0xff1a: colons++; break;
          case 0x2014: case 0x2013: dashes++; break;
          case 0x201c: case 0x201d: case 0x201e: case 0xab: case 0xbb: case 0x2018: quotes++; break;
          case 0x2019: {
            const prevL = prevCode >= 0 && LETTER_RE.test(String.fromCodePoint(prevCode));
            const nextL = next >= 0 && next < 0xd800 && LETTER_RE.test(String.fromCharCode(next));
            if (!(prevL && nextL)) quotes++;
            break;
          }
          case 0xff08: parens++; break;
          case 0xff01: exclaims++; break;
          case 0xff1f: questions++; break;
          case 0x2026: ellipses++; break;
        }
      }
    }
    if (c === 32) {
      if (spaceRun === 0) spaceRunAfterContent = lineHasContent;
      spaceRun++;
    } else {
      if (spaceRun >= 2 && spaceRunAfterContent && c !== 10 && c !== 13 && c !== 9) doubleSpaces++;
      spaceRun = 0;
    }
    if (c === 39 || c === 34) straightQuotes++;
    else if (c === 0x2018 || c === 0x2019 || c === 0x201c || c === 0x201d) curlyQuotes++;
    else if (c === 0x2014) emDashes++;
    if (c === 10) lineHasContent = false;
    else if (c !== 32 && c !== 9 && c !== 13) lineHasContent = true;
    prevCode = c;
  }

  // ---- lines, paragraphs, markdown
  const lines = text.split('\n');
  let nonEmptyLines = 0;
  let blankLines = 0;
  let listItems = 0;
  let headings = 0;
  let fences = 0;
  let blocks = 0; // blank-line separated blocks
  let inBlock = false;
  for (const raw of lines) {
    if (raw.trim() === '') {
      blankLines++;
      inBlock = false;
      continue;
    }
    nonEmptyLines++;
    if (!inBlock) { blocks++; inBlock = true; }
    if (LIST_RE.test(raw)) listItems++;
    else if (HEADING_RE.test(raw)) headings++;
    else if (FENCE_RE.test(raw)) fences++;
  }
  const paragraphs = blankLines > 0 ? blocks : nonEmptyLines;
  EMPHASIS_RE.lastIndex = 0;
  const emphasis = countMatches(EMPHASIS_RE, text);
  const references = countMatches(REFERENCE_RE, text);

  // ---- words. Per distinct raw form and per distinct lower-cased type, the work is done once.
  const words: string[] = []; // lower-cased, ’ -> '
  const formIds = new Map<string, number>(); // raw form -> form index
  const formType: number[] = [];
  const formLen: number[] = [];
  const formLetters: number[] = [];
  const formAllCaps: boolean[] = [];
  const typeIds = new Map<string, number>(); // lower-cased word -> type id
  const typeLower: string[] = [];
  const typeCounts: number[] = [];
  const typeSyl: number[] = [];
  const typeFlags: number[] = [];
  let wordChars = 0;
  let wordLetters = 0;
  let sumSqLen = 0;
  let shortWords = 0;
  let longWords = 0;
  let syllables = 0;
  let polysyllables = 0;
  let allCaps = 0;
  let contractions = 0;
  let fw = 0;
  let p1s = 0;
  let p1p = 0;
  let p2 = 0;
  const lexPositions: number[] = []; // indices of words that may match a hedge / discourse / stock-phrase entry
  WORD_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  const idList: number[] = [];
  const starts: number[] = [];
  while ((m = WORD_RE.exec(text)) !== null) {
    const raw = m[0];
    let form = formIds.get(raw);
    if (form === undefined) {
      let lower = raw.toLowerCase();
      if (lower.includes('’')) lower = lower.replace(/’/g, "'");
      let type = typeIds.get(lower);
      if (type === undefined) {
        type = typeLower.length;
        typeIds.set(lower, type);
        typeLower.push(lower);
        typeCounts.push(0);
        typeSyl.push(countSyllables(lower));
        typeFlags.push(wordFlags(lower));
      }
      form = formType.length;
      formIds.set(raw, form);
      formType.push(type);
      // length (letters/digits/marks; internal ' ’ . - and low surrogates not counted) and capitals
      let wl = 0;
      let lettersInWord = 0;
      let upperInWord = 0;
      for (let k = 0; k < raw.length; k++) {
        const c = raw.charCodeAt(k);
        if (c === 39 || c === 0x2019 || c === 46 || c === 45 || (c >= 0xdc00 && c <= 0xdfff)) continue;
        wl++;
        if (c >= 48 && c <= 57) continue;
        if (c < 128) {
          lettersInWord++;
          if (c >= 65 && c <= 90) upperInWord++;
        } else {
          const ch = c >= 0xd800 && c <= 0xdbff ? raw.slice(k, k + 2) : raw[k]!;
          if (LETTER_RE.test(ch)) {
            lettersInWord++;
            if (UPPER_RE.test(ch)) upperInWord++;
          }
        }
      }
      formLen.push(wl);
      formLetters.push(lettersInWord);
      formAllCaps.push(lettersInWord >= 2 && upperInWord === lettersInWord);
    }
    const type = formType[form]!;
    words.push(typeLower[type]!);
    starts.push(m.index);
    idList.push(type);
    typeCounts[type]!++;
    const wl = formLen[form]!;
    wordChars += wl;
    sumSqLen += wl * wl;
    wordLetters += formLetters[form]!;
    if (wl <= 3) shortWords++;
    if (wl >= 7) longWords++;
    if (formAllCaps[form]) allCaps++;
    const syl = typeSyl[type]!;
    syllables += syl;
    if (syl >= 3) polysyllables++;
    const f = typeFlags[type]!;
    if (f !== 0) {
      if (f & F_CONTRACTION) contractions++;
      if (f & F_FUNCTION) fw++;
      if (f & F_P1S) p1s++;
      else if (f & F_P1P) p1p++;
      else if (f & F_P2) p2++;
      if (f & F_LEX) lexPositions.push(words.length - 1);
    }
  }
  const nWords = words.length;
  const vocab = typeCounts.length;
  const ids = Int32Array.from(idList);

  // ---- wink: sentences and POS (see tagSentences)
  const tagged = tagSentences(text);
  const sentStats = tagged.sentences;
  // each word belongs to the sentence whose start offset is the last one at or before the word's start
  const nRaw = sentStats.length;
  const rawLens = new Int32Array(nRaw);
  const rawLowerStart = new Uint8Array(nRaw); // first word of the sentence starts lower-case
  for (let w = 0, s = 0; w < nWords; w++) {
    const at = starts[w]!;
    while (s + 1 < nRaw && sentStats[s + 1]!.start <= at) s++;
    if (nRaw > 0) {
      if (rawLens[s] === 0) rawLowerStart[s] = startsLowerCase(text, at) ? 1 : 0;
      rawLens[s]!++;
    }
  }
  const sentLens: number[] = [];
  let shortSents = 0;
  let longSents = 0;
  let lowerStarts = 0;
  let passiveSents = 0;
  let subordinators = 0;
  let depthSum = 0;
  let depLenSum = 0;
  let depLenN = 0;
  for (let s = 0; s < nRaw; s++) {
    const nw = rawLens[s]!;
    if (nw === 0) continue; // sentences without words (emoji, bullets, punctuation) are not sentences
    const st = sentStats[s]!;
    sentLens.push(nw);
    if (nw <= 8) shortSents++;
    if (nw >= 30) longSents++;
    if (rawLowerStart[s] === 1) lowerStarts++;
    if (st.passive) passiveSents++;
    subordinators += st.subordinators;
    depthSum += st.depth;
    depLenSum += st.depLenSum;
    depLenN += st.depLenN;
  }
  const pos = tagged.pos;
  const nTagged = tagged.tagged;
  const stopTagged = tagged.stop;
  const nSent = sentLens.length;
  const S = nSent > 0 ? nSent : nWords > 0 ? 1 : 0; // denominator for per-sentence rates
  const [sMean, sStd] = meanStd(sentLens, nSent);
  const wMean = ratio(wordChars, nWords);
  const wStd = nWords > 0 ? Math.sqrt(Math.max(0, sumSqLen / nWords - wMean * wMean)) : 0;

  // ---- length & layout
  put(out, 'char_count', chars);
  put(out, 'word_count', nWords);
  put(out, 'sentence_count', nSent);
  put(out, 'paragraph_count', paragraphs);
  put(out, 'avg_paragraph_length', ratio(nWords, paragraphs));
  put(out, 'list_count', listItems);
  put(out, 'list_item_ratio', ratio(listItems, nonEmptyLines));
  put(out, 'heading_count', headings);
  put(out, 'markdown_emphasis_count', emphasis);
  put(out, 'code_block_count', Math.ceil(fences / 2));
  put(out, 'newline_rate', ratio(newlines, nWords));
  put(out, 'blank_line_ratio', nonEmptyLines > 0 ? blankLines / lines.length : 0);
  put(out, 'double_space_rate', ratio(doubleSpaces, S));
  put(out, 'reference_count', references);

  // ---- sentences
  put(out, 'avg_sentence_length', sMean);
  put(out, 'sentence_length_std', sStd);
  put(out, 'sentence_length_cv', ratio(sStd, sMean));
  put(out, 'burstiness', ratio(sStd - sMean, sStd + sMean));
  put(out, 'short_sentence_ratio', ratio(shortSents, nSent));
  put(out, 'long_sentence_ratio', ratio(longSents, nSent));
  put(out, 'lowercase_sentence_start_ratio', ratio(lowerStarts, nSent));

  // ---- word length
  put(out, 'average_word_length', wMean);
  put(out, 'word_length_std', wStd);
  put(out, 'short_word_ratio', ratio(shortWords, nWords));
  put(out, 'long_word_ratio', ratio(longWords, nWords));
  put(out, 'syllables_per_word', ratio(syllables, nWords));
  put(out, 'polysyllable_ratio', ratio(polysyllables, nWords));

  // ---- lexical
  let hapax = 0;
  let sumF2 = 0;
  for (let i = 0; i < vocab; i++) {
    const f = typeCounts[i]!;
    if (f === 1) hapax++;
    sumF2 += f * f;
  }
  put(out, 'unique_words', vocab);
  put(out, 'vocab_diversity', ratio(vocab, nWords));
  put(out, 'root_ttr', nWords > 0 ? vocab / Math.sqrt(nWords) : 0);
  put(out, 'mtld', nWords > 0 ? (mtldPass(ids, vocab, true) + mtldPass(ids, vocab, false)) / 2 : 0);
  put(out, 'mattr', mattr(ids, vocab, 50));
  put(out, 'hapax_ratio', ratio(hapax, nWords));
  put(out, 'yule_k', nWords > 0 ? (1e4 * (sumF2 - nWords)) / (nWords * nWords) : 0);

  // ---- readability
  if (nWords > 0) {
    const wps = nWords / S;
    const spw = syllables / nWords;
    put(out, 'flesch_reading_ease', clip(206.835 - 1.015 * wps - 84.6 * spw, 1000));
    put(out, 'flesch_kincaid_grade', clip(0.39 * wps + 11.8 * spw - 15.59, 1000));
    put(out, 'coleman_liau', clip(0.0588 * ((wordLetters / nWords) * 100) - 0.296 * ((S / nWords) * 100) - 15.8, 1000));
    put(out, 'automated_readability_index', clip(4.71 * (wordChars / nWords) + 0.5 * wps - 21.43, 1000));
    put(out, 'smog_index', clip(1.043 * Math.sqrt((polysyllables * 30) / S) + 3.1291, 1000));
  }

  // ---- punctuation
  put(out, 'punctuation_count', punct);
  put(out, 'punctuation_rate', ratio(punct, nWords));
  put(out, 'comma_per_sentence', ratio(commas, S));
  put(out, 'semicolon_per_sentence', ratio(semicolons, S));
  put(out, 'colon_per_sentence', ratio(colons, S));
  put(out, 'dash_per_sentence', ratio(dashes, S));
  put(out, 'em_dash_per_sentence', ratio(emDashes, S));
  put(out, 'quote_per_sentence', ratio(quotes, S));
  put(out, 'parenthesis_per_sentence', ratio(parens, S));
  put(out, 'exclamation_per_sentence', ratio(exclaims, S));
  put(out, 'question_per_sentence', ratio(questions, S));
  put(out, 'ellipsis_per_sentence', ratio(ellipses, S));

  // ---- function words, POS
  put(out, 'function_word_rate', ratio(fw, nWords));
  put(out, 'stopword_rate', ratio(stopTagged, nTagged));
  put(out, 'noun_ratio', ratio((pos['NOUN'] ?? 0), nTagged));
  put(out, 'proper_noun_ratio', ratio((pos['PROPN'] ?? 0), nTagged));
  put(out, 'verb_ratio', ratio((pos['VERB'] ?? 0), nTagged));
  put(out, 'auxiliary_ratio', ratio((pos['AUX'] ?? 0), nTagged));
  put(out, 'adjective_ratio', ratio((pos['ADJ'] ?? 0), nTagged));
  put(out, 'adverb_ratio', ratio((pos['ADV'] ?? 0), nTagged));
  put(out, 'pronoun_ratio', ratio((pos['PRON'] ?? 0), nTagged));
  put(out, 'determiner_ratio', ratio((pos['DET'] ?? 0), nTagged));
  put(out, 'adposition_ratio', ratio((pos['ADP'] ?? 0), nTagged));
  put(out, 'conjunction_ratio', ratio((pos['CCONJ'] ?? 0), nTagged));
  put(out, 'numeral_ratio', ratio((pos['NUM'] ?? 0), nTagged));
  put(out, 'interjection_ratio', ratio((pos['INTJ'] ?? 0), nTagged));
  put(out, 'noun_verb_ratio', ((pos['NOUN'] ?? 0) + (pos['PROPN'] ?? 0)) / Math.max(1, (pos['VERB'] ?? 0)));

  // ---- person
  put(out, 'first_person_singular_rate', ratio(p1s, nWords));
  put(out, 'first_person_plural_rate', ratio(p1p, nWords));
  put(out, 'second_person_rate', ratio(p2, nWords));

  // ---- syntax
  put(out, 'passive_voice_ratio', ratio(passiveSents, nSent));
  put(out, 'subordinate_clause_rate', ratio(subordinators, S));
  put(out, 'syntax_tree_depth', ratio(depthSum, nSent));
  put(out, 'average_dependency_length', ratio(depLenSum, depLenN));

  // ---- style
  put(out, 'contraction_rate', ratio(contractions, nWords));
  put(out, 'hedging_frequency', ratio(countLexicon(words, lexPositions, HEDGE_WORDS, HEDGE_TABLE), nWords));
  put(out, 'discourse_marker_rate', ratio(countLexicon(words, lexPositions, DISCOURSE_WORDS, DISCOURSE_TABLE), S));
  put(out, 'repeated_bigram_ratio', repeatedNgramRatio(ids, 2));
  put(out, 'repeated_trigram_ratio', repeatedNgramRatio(ids, 3));

  // ---- stock phrases
  const hasCjk = cjk > 0;
  put(out, 'llm_phrase_rate', ratio(100 * LLM_EN_M.count(text, words, starts, lexPositions, hasCjk), nWords));
  put(out, 'human_phrase_rate', ratio(100 * HUMAN_EN_M.count(text, words, starts, lexPositions, hasCjk), nWords));
  const zhC = LLM_ZH_M.count(text, words, starts, lexPositions, hasCjk);
  const zhH = HUMAN_ZH_M.count(text, words, starts, lexPositions, hasCjk);
  put(out, 'zh_llm_phrase_rate', ratio(1000 * zhC, chars));
  put(out, 'zh_human_phrase_rate', ratio(1000 * zhH, chars));

  // ---- characters
  put(out, 'uppercase_ratio', ratio(upper, letters));
  put(out, 'all_caps_word_ratio', ratio(allCaps, nWords));
  put(out, 'digit_ratio', ratio(digits, chars));
  put(out, 'non_ascii_ratio', ratio(nonAscii, chars));
  put(out, 'curly_quote_ratio', ratio(curlyQuotes, curlyQuotes + straightQuotes));
  put(out, 'cjk_ratio', ratio(cjk, chars));
  put(out, 'emoji_ratio', ratio(emoji, chars));
  put(out, 'whitespace_ratio', ratio(spaces, chars));

  return out;
}

/** The same features as a name -> value record (insertion order = TEXT_FEATURES order). */
export function textFeatureRecord(text: string): Record<string, number> {
  const v = extractTextFeatures(text);
  const rec: Record<string, number> = {};
  for (let i = 0; i < SPECS.length; i++) rec[SPECS[i]!.name] = v[i]!;
  return rec;
}
