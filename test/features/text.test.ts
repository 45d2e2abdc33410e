// Hand-computed checks of every feature family of src/features/text.ts. The expected numbers are worked
// out in the comments from the documented definitions (docs/FEATURES.md), not copied from program output.
import t, { type Test } from 'tap';
import {
  TEXT_FEATURES,
  TEXT_FEATURE_VERSION,
  countSyllables,
  extractTextFeatures,
  featureModelLoads,
  textFeatureRecord,
} from '../../src/features/text.js';
import { J_DETECTOR_FEATURES } from '../../scripts/feature-docs.js';

const EPS = 1e-9;
function near(t: Test, actual: number | undefined, expected: number, msg: string, eps = EPS): void {
  t.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `${msg}: expected ${expected}, got ${actual}`);
}
function check(t: Test, text: string, expected: Record<string, number>, eps = EPS): void {
  const r = textFeatureRecord(text);
  for (const [k, v] of Object.entries(expected)) {
    t.ok(k in r, `feature ${k} exists`);
    near(t, r[k], v, k, eps);
  }
}

t.test('contract: names, families, order, the 23 J-Detector features', async (t) => {
  t.type(TEXT_FEATURE_VERSION, 'string');
  t.ok(TEXT_FEATURES.length >= 40, `at least 40 features (${TEXT_FEATURES.length})`);
  const names = TEXT_FEATURES.map((f) => f.name);
  t.equal(new Set(names).size, names.length, 'names are unique');
  for (const f of TEXT_FEATURES) {
    t.match(f.name, /^[a-z][a-z0-9_]*$/, `${f.name} is snake_case`);
    t.ok(f.family.length > 0 && f.description.length > 10, `${f.name} has family and description`);
  }
  t.equal(J_DETECTOR_FEATURES.length, 23);
  for (const j of J_DETECTOR_FEATURES) t.ok(names.includes(j), `J-Detector feature ${j} present`);
  const families = new Set(TEXT_FEATURES.map((f) => f.family));
  for (const fam of ['length', 'layout', 'sentence', 'word-length', 'lexical', 'readability', 'punctuation',
    'function-words', 'pos', 'person', 'syntax', 'style', 'phrases', 'characters']) {
    t.ok(families.has(fam), `family ${fam}`);
  }
  const v = extractTextFeatures('Hello there. How are you?');
  t.ok(v instanceof Float64Array);
  t.equal(v.length, TEXT_FEATURES.length);
  const r = textFeatureRecord('Hello there. How are you?');
  t.same(Object.keys(r), names, 'record keys in vector order');
  names.forEach((n, i) => t.equal(r[n], v[i], `record[${n}] = vector[${i}]`));
  t.throws(() => extractTextFeatures(42 as unknown as string), TypeError);
});

t.test('length & structure', async (t) => {
  // "One two three. Four five!" = 25 code points, 5 words, 2 sentences, 1 paragraph (one line)
  check(t, 'One two three. Four five!', {
    char_count: 25, word_count: 5, sentence_count: 2, paragraph_count: 1, avg_paragraph_length: 5,
  });
  // code points, not UTF-16 units: "😀 ok" = 4 code points (5 UTF-16 units); 1 word
  check(t, '😀 ok', { char_count: 4, word_count: 1 });
  // words: "doesn't" "e-mail" "3.5" "U.S" are one word each
  check(t, "It doesn't e-mail 3.5 U.S. folks", { word_count: 6 });
  // three blank-line separated blocks -> 3 paragraphs; words 2 + (3+1) + 1 = 7
  check(t, 'Alpha beta.\n\nGamma delta epsilon.\nZeta.\n\n\nEta', { paragraph_count: 3, avg_paragraph_length: 7 / 3 });
  // no blank line: every non-empty line is a paragraph
  check(t, 'one\ntwo\nthree', { paragraph_count: 3 });
});

t.test('layout: lists, headings, markdown, newlines, references', async (t) => {
  const text = '# Heading\n\nIntro text.\n\n- a\n* b\n2) c\n\n**bold** and __also__\n```\ncode\n```';
  // lines: "# Heading", "", "Intro text.", "", "- a", "* b", "2) c", "", "**bold** and __also__", "```", "code", "```"
  // 12 lines, 3 blank, 9 non-empty; list items 3; heading 1; fences 2 -> 1 block; bold spans 2
  // words: Heading Intro text a b 2 c bold and also code = 11; newlines 11
  check(t, text, {
    list_count: 3, list_item_ratio: 3 / 9, heading_count: 1, markdown_emphasis_count: 2, code_block_count: 1,
    blank_line_ratio: 3 / 12, newline_rate: 11 / 11, word_count: 11,
  });
  // "#hashtag" is not a heading; "-not a list" needs a space after the bullet
  check(t, '#hashtag\n-not a list', { heading_count: 0, list_count: 0 });
  // references: URL, [1], [2, 3], (Smith et al., 2020), (Jones, 1999), "et al." on its own, doi
  check(t, 'See https://example.com/x and [1] or [2, 3]. As (Smith et al., 2020) and (Jones, 1999) say, Lee et al. agree. doi:10.1000/182', {
    reference_count: 7,
  });
  check(t, 'No references here (really).', { reference_count: 0 });
});

t.test('sentence length: mean, spread, burstiness', async (t) => {
  // sentence lengths 2, 4, 6: mean 4, population std sqrt(8/3)
  const std = Math.sqrt(8 / 3);
  check(t, 'I run. I run fast now. I run very fast now too.', {
    sentence_count: 3, avg_sentence_length: 4, sentence_length_std: std, sentence_length_cv: std / 4,
    burstiness: (std - 4) / (std + 4), short_sentence_ratio: 1, long_sentence_ratio: 0,
  });
  // identical lengths: std 0 -> cv 0, burstiness -1
  check(t, 'The dog ran away. The cat sat down.', { sentence_length_std: 0, sentence_length_cv: 0, burstiness: -1 });
  // one 30-word sentence is long, not short
  const long = Array.from({ length: 30 }, (_, i) => (i === 0 ? 'Word' : 'word')).join(' ') + '.';
  check(t, long, { sentence_count: 1, long_sentence_ratio: 1, short_sentence_ratio: 0, avg_sentence_length: 30 });
});

t.test('new in 1.1: sentence starts, MATTR, em dashes, double spaces, curly quotes', async (t) => {
  // sentences start with "the", "The", "I": 1 of 3 lower-case
  check(t, 'the dog ran. The cat sat. I think so.', { sentence_count: 3, lowercase_sentence_start_ratio: 1 / 3 });
  check(t, 'über alles. Ärger!', { lowercase_sentence_start_ratio: 1 / 2 });
  // under 50 words MATTR is the plain TTR; 51 alternating words: both 50-word windows have 2 types -> 2/50
  check(t, 'Dog dog cat', { mattr: 2 / 3 });
  check(t, Array.from({ length: 51 }, (_, i) => (i % 2 ? 'b' : 'a')).join(' '), { mattr: 2 / 50 });
  // two em dashes in one sentence; both are dashes too
  check(t, 'Yes — no — maybe.', { sentence_count: 1, em_dash_per_sentence: 2, dash_per_sentence: 2 });
  // "One.  Two." and "Two.   Three." and "indented  x" count; indentation and trailing spaces do not
  const ds = textFeatureRecord('One.  Two.   Three.\n  indented  x  \n');
  near(t, ds.double_space_rate! * ds.sentence_count!, 3, 'three double-space runs');
  // curly: “ ” ’ (3); straight: ' (1)
  check(t, '“Hi,” she said. It’s Bob\'s.', { curly_quote_ratio: 3 / 4 });
  check(t, 'No quotes', { curly_quote_ratio: 0 });
});

t.test('word length distribution and syllables', async (t) => {
  // lengths 1 2 3 4 7: mean 3.4; squared deviations 5.76 1.96 0.16 0.36 12.96 -> var 4.24
  check(t, 'a bb ccc dddd eeeeeee', {
    average_word_length: 3.4, word_length_std: Math.sqrt(4.24), short_word_ratio: 3 / 5, long_word_ratio: 1 / 5,
  });
  // apostrophes/hyphens inside a word are not counted: "don't" = 4, "e-mail" = 5
  check(t, "don't e-mail", { average_word_length: 4.5 });
  const syl: [string, number][] = [
    ['cat', 1], ['the', 1], ['table', 2], ['make', 1], ['jumped', 1], ['wanted', 2], ['makes', 1], ['boxes', 2],
    ['readability', 5], ['beautiful', 3], ['whale', 1], ['elephants', 3], ['rhythm', 1], ['naïve', 1], ['数学', 1],
  ];
  for (const [w, n] of syl) t.equal(countSyllables(w), n, `syllables(${w}) = ${n}`);
  // "Beautiful elephants." 2 words, 6 syllables, both polysyllabic
  check(t, 'Beautiful elephants.', { syllables_per_word: 3, polysyllable_ratio: 1 });
});

t.test('lexical diversity: TTR, root TTR, MTLD, hapax, Yule K', async (t) => {
  // the x4, cat x2, saw x2, dog x2, and x1: N = 11, V = 5, one hapax, sum f^2 = 29
  // MTLD forward: factor closes at the 7th word (TTR 5/7 <= .72), remaining 4 words TTR 1 -> 0 partial:
  //   11 / 1 = 11. Backward (cat the saw dog the and dog | the saw cat the): closes at the 7th word
  //   (5/7), remainder TTR 3/4 -> partial (1 - .75) / .28 = 25/28 -> 11 / (53/28) = 308/53.
  //   MTLD = (11 + 308/53) / 2.
  check(t, 'The cat saw the dog and the dog saw the cat.', {
    word_count: 11, unique_words: 5, vocab_diversity: 5 / 11, root_ttr: 5 / Math.sqrt(11), hapax_ratio: 1 / 11,
    yule_k: (1e4 * (29 - 11)) / 121, mtld: (11 + 308 / 53) / 2,
  });
  // all distinct: no factor closes, partial factor 0 -> MTLD = N
  check(t, 'alpha beta gamma', { mtld: 3, vocab_diversity: 1, hapax_ratio: 1, yule_k: 0 });
  // case-insensitive types
  check(t, 'Dog dog DOG', { unique_words: 1 });
});

t.test('readability', async (t) => {
  // 6 words, 2 sentences, 6 syllables, 18 letters: W/S = 3, Y/W = 1, L = 300, S100 = 100/3
  check(t, 'The cat sat down. The dog ran off.', {
    sentence_count: 2, word_count: 8,
  });
  check(t, 'The big cat ran. The red dog sat.', {
    flesch_reading_ease: 206.835 - 1.015 * 4 - 84.6 * 1,
    flesch_kincaid_grade: 0.39 * 4 + 11.8 * 1 - 15.59,
    // letters: the big cat ran the red dog sat = 24 over 8 words -> L = 300; S100 = 25
    coleman_liau: 0.0588 * 300 - 0.296 * 25 - 15.8,
    automated_readability_index: 4.71 * 3 + 0.5 * 4 - 21.43,
    smog_index: 3.1291,
  });
  // "Beautiful elephants." one sentence, two polysyllabic words: SMOG = 1.043 sqrt(60) + 3.1291
  check(t, 'Beautiful elephants.', { smog_index: 1.043 * Math.sqrt(60) + 3.1291 });
  check(t, '', { flesch_reading_ease: 0, flesch_kincaid_grade: 0, coleman_liau: 0, automated_readability_index: 0, smog_index: 0 });
});

t.test('punctuation profile', async (t) => {
  const text = 'Wait, what; really: yes — no -- maybe (ok) "quoted" it\'s fine! Why? Hmm... end.';
  // wink: 3 sentences ("Wait ... fine!", "Why?", "Hmm... end.")
  // , ; : — ( ) " " ' ! ? and dots ... . and the two hyphens of "--": 1+1+1+1+1+1+2+1+1+1+3+1+2 = 17
  // words: Wait what really yes no maybe ok quoted it's fine Why Hmm end = 13
  check(t, text, {
    sentence_count: 3, punctuation_count: 17, punctuation_rate: 17 / 13,
    comma_per_sentence: 1 / 3, semicolon_per_sentence: 1 / 3, colon_per_sentence: 1 / 3,
    dash_per_sentence: 2 / 3, quote_per_sentence: 2 / 3, parenthesis_per_sentence: 1 / 3,
    exclamation_per_sentence: 1 / 3, question_per_sentence: 1 / 3, ellipsis_per_sentence: 1 / 3,
  });
  // URL and clock colons are not colons; a list bullet is not a dash; "a - b" is
  check(t, 'At 12:30 see http://x.org today.\n- item a - b', { colon_per_sentence: 0 });
  const r = textFeatureRecord('At 12:30 see http://x.org today.\n- item a - b');
  near(t, r.dash_per_sentence! * r.sentence_count!, 1, 'one dash (the bullet is not one)');
  // curly quotes count, an apostrophe inside a word does not
  check(t, '“Hi,” she said. It’s fine.', { quote_per_sentence: 2 / 2 });
});

t.test('function words and stop words', async (t) => {
  // the, and, the are function words: 3 / 5
  check(t, 'The cat and the dog', { function_word_rate: 3 / 5 });
  // wink flags The, the as stop words out of 8 tagged tokens
  check(t, 'The big dog quickly ate the red apple.', { stopword_rate: 2 / 8 });
});

t.test('part-of-speech ratios', async (t) => {
  // The/DET big/ADJ dog/NOUN quickly/ADV ate/VERB the/DET red/ADJ apple/NOUN ./PUNCT -> 8 tagged tokens
  check(t, 'The big dog quickly ate the red apple.', {
    noun_ratio: 2 / 8, adjective_ratio: 2 / 8, adverb_ratio: 1 / 8, determiner_ratio: 2 / 8, verb_ratio: 1 / 8,
    pronoun_ratio: 0, adposition_ratio: 0, noun_verb_ratio: 2,
  });
  // I/PRON left/VERB because/SCONJ it/PRON rained/VERB ./PUNCT The/DET man/NOUN who/PRON called/VERB was/AUX late/ADJ
  check(t, 'I left because it rained. The man who called was late.', {
    pronoun_ratio: 3 / 11, verb_ratio: 3 / 11, auxiliary_ratio: 1 / 11, noun_verb_ratio: 1 / 3,
  });
  // no verb: nouns / 1
  check(t, 'Dogs and cats.', { noun_verb_ratio: 2, conjunction_ratio: 1 / 3 });
});

t.test('person: pronoun rates', async (t) => {
  // 15 words; 1sg: I, I'm, my; 1pl: we; 2nd: you, your
  check(t, "I think we should ask you and your friends, and I'm sure my mom agrees.", {
    word_count: 15, first_person_singular_rate: 3 / 15, first_person_plural_rate: 1 / 15, second_person_rate: 2 / 15,
  });
});

t.test('syntax: passive voice, subordinate clauses and the two documented proxies', async (t) => {
  // passive in sentences 1 ("was eaten") and 3 ("was not written"), not in 2
  check(t, 'The cake was eaten. The dog ate the cake. The letter was not written by me.', { passive_voice_ratio: 2 / 3 });
  check(t, 'The dog is running. She was happy.', { passive_voice_ratio: 0 });
  // because (SCONJ) and non-initial "who": 2 subordinators in 2 sentences; each sentence nests one level
  check(t, 'I left because it rained. The man who called was late.', { subordinate_clause_rate: 1, syntax_tree_depth: 2 });
  // sentence-initial "Who" is a question word, not a subordinator
  check(t, 'Who called? Nobody did.', { subordinate_clause_rate: 0, syntax_tree_depth: 1 });
  // clause nesting: "because" opens level 2, "," closes it, "(" opens level 2 again: max 2
  check(t, 'Because it rained, we stayed (inside) home.', { syntax_tree_depth: 2 });
  // dependency proxy: The big dog [ate] the red apple -> distances 3 2 1 . 1 2 3 -> 12 / 6
  check(t, 'The big dog ate the red apple.', { average_dependency_length: 2 });
  // no VERB: AUX is the head. "It is red." -> It(1) red(1) -> 1
  check(t, 'It is red.', { average_dependency_length: 1 });
});

t.test('style: contractions, hedges, discourse markers, repetition', async (t) => {
  // 13 words; contractions can't it's isn't y'all (dog's is a possessive)
  check(t, "I can't go, it's late and the dog's bone isn't here. Y'all know.", { word_count: 13, contraction_rate: 4 / 13 });
  // curly apostrophes count too
  check(t, 'We’re here', { contraction_rate: 1 / 2 });
  // 10 words; hedges: "I think", might, perhaps, "in general", "sort of" = 5
  check(t, 'I think it might rain, perhaps in general sort of.', { word_count: 10, hedging_frequency: 5 / 10 });
  // 3 sentences; markers: However, In addition, For example
  check(t, 'However, it rained. In addition, it snowed. For example, hail.', { discourse_marker_rate: 1 });
  // bigrams: the-cat x2, saw-the x2, the-dog x2 (6 of 10 occurrences); no trigram repeats
  check(t, 'The cat saw the dog and the dog saw the cat.', { repeated_bigram_ratio: 6 / 10, repeated_trigram_ratio: 0 });
  // "a b c a b c": trigrams abc, bca, cab, abc -> abc twice = 2 of 4
  check(t, 'a b c a b c', { repeated_trigram_ratio: 2 / 4, repeated_bigram_ratio: 4 / 5 });
});

t.test('stock phrases of chat assistants and informal human markers', async (t) => {
  // 11 words; LLM: "Certainly!", "I hope this helps"; human: "lol", "imo", ":)"
  check(t, 'Certainly! I hope this helps. lol imo your idea is good :)', {
    llm_phrase_rate: (100 * 2) / 11, human_phrase_rate: (100 * 3) / 11,
  });
  // whole words only: "lollipop" is not "lol"; case-insensitive; ’ matches ' ("It’s important to note" is one phrase: longest wins)
  check(t, 'LOLLIPOP. It’s important to note', { human_phrase_rate: 0, llm_phrase_rate: 100 / 5 });
  // 16 chars; LLM (zh): 总的来说, 作为一个语言模型; human (zh): 哈哈
  check(t, '总的来说，作为一个语言模型。哈哈', {
    char_count: 16, zh_llm_phrase_rate: 2000 / 16, zh_human_phrase_rate: 1000 / 16,
  });
});

t.test('characters: capitals, digits, non-ASCII, CJK, emoji, white space', async (t) => {
  // "ABC def 123 é😀": 14 code points; letters A B C d e f é (3 upper); digits 3; non-ASCII é 😀; spaces 3
  // words ABC def 123 é -> one all-caps word
  check(t, 'ABC def 123 é😀', {
    char_count: 14, uppercase_ratio: 3 / 7, digit_ratio: 3 / 14, non_ascii_ratio: 2 / 14, emoji_ratio: 1 / 14,
    whitespace_ratio: 3 / 14, all_caps_word_ratio: 1 / 4, cjk_ratio: 0,
  });
  check(t, '中文abc', { cjk_ratio: 2 / 5, non_ascii_ratio: 2 / 5 });
  check(t, 'I A', { all_caps_word_ratio: 0 }); // single letters are not all-caps words
});

t.test('empty text is all zeros', async (t) => {
  const v = extractTextFeatures('');
  t.ok(v.every((x) => x === 0), 'all zero');
  const w = extractTextFeatures('   \n\n\t ');
  TEXT_FEATURES.forEach((f, i) => {
    if (f.name !== 'char_count' && f.name !== 'whitespace_ratio') t.equal(w[i], 0, `${f.name} is 0 for white space`);
  });
});

t.test("a text's features do not depend on the texts read before it (wink-nlp's remembered words are forgotten)", async (t) => {
  // wink-nlp splits "John's" into John + 's, unless an earlier document made "John's" a word of its lexicon
  // ("John's-ship" does): the part-of-speech counts then changed for every later text with "John's"
  const probe = "Long John's mutineers lost the battle, and Silver's crew sailed away with the map that Flint's men had hidden.";
  const fresh = Array.from(extractTextFeatures(probe));
  extractTextFeatures("John's-ship and Silver's-crew and Flint's-men are hyphenated here.");
  t.same(Array.from(extractTextFeatures(probe)), fresh, 'the same features after a text that adds "John\'s" whole');
  // past the kept-list limit the model is loaded again, and answers the same
  // past the kept-list limit (100,000 words beyond the model's) the model is loaded again, and answers the same
  const loads = featureModelLoads();
  for (let i = 0; i < 3; i++) extractTextFeatures(Array.from({ length: 42_000 }, (_, k) => `zq${i}x${k}blarg`).join(' ') + '.');
  t.same(Array.from(extractTextFeatures(probe)), fresh, 'the same features after the model was loaded again');
  t.equal(featureModelLoads(), loads + 1, 'loaded again once, when the kept list passed the limit');
});
