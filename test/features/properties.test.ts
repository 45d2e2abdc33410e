// Property and edge-case tests: every value finite, deterministic, shape fixed, for any string.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { TEXT_FEATURES, extractTextFeatures, loadTextFeatureModel, textFeatureRecord } from '../../src/features/text.js';

const N = TEXT_FEATURES.length;

function assertFinite(t: Test, v: Float64Array, label: string): void {
  t.equal(v.length, N, `${label}: length`);
  const bad = TEXT_FEATURES.filter((_, i) => !Number.isFinite(v[i]!)).map((f) => f.name);
  t.same(bad, [], `${label}: all finite`);
}

const finiteAndEqual = (s: string): boolean => {
  const a = extractTextFeatures(s);
  const b = extractTextFeatures(s);
  if (a.length !== N) return false;
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(a[i]!)) return false;
    if (!Object.is(a[i], b[i])) return false;
  }
  return true;
};

t.test('fast-check: finite and deterministic on random full Unicode', async (t) => {
  // fast-check 4 removed fc.fullUnicodeString(); its equivalent is fc.string({ unit: 'binary' })
  // (any valid code point, astral planes included)
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), finiteAndEqual), { numRuns: 150, seed: 43 });
  fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), finiteAndEqual), { numRuns: 150, seed: 42 });
  // raw UTF-16 units, lone surrogates included
  const utf16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  fc.assert(fc.property(fc.string({ unit: utf16, maxLength: 300 }), finiteAndEqual), { numRuns: 100, seed: 44 });
  t.pass('properties hold');
});

t.test('fast-check: English-like text with markdown and punctuation', async (t) => {
  const word = fc.constantFrom('the', 'dog', 'was', 'eaten', 'because', 'however', "can't", 'I', 'you', 'Certainly!',
    'in', 'general', 'a', 'very', 'big', 'ran', 'quickly', '3.5', 'U.S.', 'e-mail', '😀', 'مرحبا', '中文', '—', '...');
  const sep = fc.constantFrom(' ', ' ', ' ', ', ', '. ', '? ', '! ', '\n', '\n\n', '\n- ', '\n1. ', '\n# ', ' (', ') ', '"', '; ');
  const text = fc.array(fc.tuple(word, sep), { maxLength: 120 }).map((xs) => xs.map(([w, s]) => w + s).join(''));
  fc.assert(fc.property(text, (s) => {
    if (!finiteAndEqual(s)) return false;
    const r = textFeatureRecord(s);
    // invariants that follow from the definitions
    const shares = ['vocab_diversity', 'hapax_ratio', 'function_word_rate', 'stopword_rate', 'noun_ratio', 'verb_ratio',
      'adjective_ratio', 'adverb_ratio', 'pronoun_ratio', 'passive_voice_ratio', 'short_sentence_ratio', 'long_sentence_ratio',
      'list_item_ratio', 'blank_line_ratio', 'repeated_bigram_ratio', 'repeated_trigram_ratio', 'uppercase_ratio',
      'digit_ratio', 'non_ascii_ratio', 'cjk_ratio', 'emoji_ratio', 'whitespace_ratio', 'all_caps_word_ratio',
      'short_word_ratio', 'long_word_ratio', 'polysyllable_ratio', 'contraction_rate', 'hedging_frequency'];
    for (const k of shares) if (!(r[k]! >= 0 && r[k]! <= 1)) return false;
    if (r.burstiness! < -1 || r.burstiness! > 1) return false;
    if (r.unique_words! > r.word_count!) return false;
    // every word belongs to exactly one sentence
    if (r.word_count! > 0 && Math.abs(r.avg_sentence_length! * r.sentence_count! - r.word_count!) > 1e-6) return false;
    if (r.word_count! > 0 && r.syntax_tree_depth! < 1 && r.sentence_count! > 0) return false;
    return true;
  }), { numRuns: 150, seed: 45 });
  t.pass('invariants hold');
});

t.test('loadTextFeatureModel is idempotent', async (t) => {
  loadTextFeatureModel();
  loadTextFeatureModel();
  t.equal(textFeatureRecord('The cat sat down.').noun_ratio, 1 / 4);
});

t.test('edge cases', async (t) => {
  const cases: Record<string, string> = {
    empty: '',
    space: ' ',
    oneWord: 'word',
    oneChar: 'x',
    punctuationOnly: '?!...,;:--—()[]""',
    emoji: '😀😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 hi! 🎉',
    rtl: 'مرحبا بالعالم. كيف حالك؟ שלום עולם! \u202Eevil\u202C',
    cjk: '我喜欢学习中文。你呢？총지 日本語のテキストです。总之，我是一个语言模型。',
    combining: 'e\u0301 Z\u0351\u0362a\u0358l\u0339g\u0333o',
    loneSurrogates: 'a\ud800b\udc00 c\udbff',
    nulAndControls: 'a\u0000b\u0007c\u001b[31m red \u001b[0m',
    longWord: 'a'.repeat(50_000),
    digits: '1234567890 3.14159 1,000,000',
    crlf: 'Line one.\r\n\r\nLine two.\r\n- item\r\n',
    urlsOnly: 'https://a.b/c?d=e https://x.y',
    zeroWidth: 'a\u200bb\u200c\u200dc\ufeff',
  };
  for (const [name, s] of Object.entries(cases)) {
    assertFinite(t, extractTextFeatures(s), name);
    t.same(extractTextFeatures(s), extractTextFeatures(s), `${name}: deterministic`);
  }
  // sentence lengths add up to the word count on awkward inputs too
  for (const s of [cases.emoji!, cases.rtl!, cases.cjk!, cases.crlf!, cases.longWord!, 'x '.repeat(3000) + 'y'.repeat(70_000) + '. z']) {
    const r = textFeatureRecord(s);
    t.ok(Math.abs(r.avg_sentence_length! * r.sentence_count! - r.word_count!) < 1e-6, 'sentence lengths sum to word_count');
  }
  const r = textFeatureRecord('word');
  t.equal(r.word_count, 1);
  t.equal(r.sentence_count, 1);
  t.equal(r.vocab_diversity, 1);
  t.equal(r.mtld, 1);
});

t.test('200,000-character text: finite, and counts scale', async (t) => {
  const unit = 'The committee met on Tuesday, and it decided — after a long debate — that the plan was approved. ';
  const big = unit.repeat(Math.ceil(200_000 / unit.length)).slice(0, 200_000);
  t.equal(big.length, 200_000);
  const r = textFeatureRecord(big);
  assertFinite(t, extractTextFeatures(big), 'big');
  t.equal(r.char_count, 200_000);
  t.ok(r.word_count! > 30_000, 'word count');
  t.ok(r.passive_voice_ratio! > 0.9, 'every full sentence is passive');
  // mixed-script huge text
  const mixed = ('中文 text 😀 مرحبا ' + 'x'.repeat(20)).repeat(5000);
  assertFinite(t, extractTextFeatures(mixed), 'mixed');
});

t.test('tagger view: long runs are cut for the tagger only, offsets kept', async (t) => {
  const { taggerView, TAGGER_MAX_RUN, TAGGER_KEEP_RUN } = await import('../../src/features/text.js');
  const short = 'a'.repeat(TAGGER_MAX_RUN) + ' ok';
  t.equal(taggerView(short), short, 'a run of exactly TAGGER_MAX_RUN is kept');
  const long = 'x ' + 'b'.repeat(TAGGER_MAX_RUN + 1) + ' y';
  const v = taggerView(long);
  t.equal(v.length, long.length, 'same length');
  t.equal(v, 'x ' + 'b'.repeat(TAGGER_KEEP_RUN) + ' '.repeat(TAGGER_MAX_RUN + 1 - TAGGER_KEEP_RUN) + ' y');
  // a surrogate pair at the cut is not split
  const emojiRun = '😀'.repeat(40);
  const ev = taggerView(emojiRun);
  t.equal(ev.length, emojiRun.length);
  t.notOk(/[\ud800-\udbff](?![\udc00-\udfff])/.test(ev), 'no lone high surrogate');
  // a 100,000-char word is still one word, one sentence
  const r = textFeatureRecord('word'.repeat(25_000) + '.');
  t.equal(r.word_count, 1);
  t.equal(r.sentence_count, 1);
});

t.test('state independence: results do not depend on what was processed before', async (t) => {
  const probe = 'Zorblatt quizzed the flibbertigibbet snarkily, because it was told to. Certainly!';
  const before = extractTextFeatures(probe);
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
    extractTextFeatures(s);
    return true;
  }), { numRuns: 50, seed: 46 });
  extractTextFeatures('Gloptastic wuzzles frobnicate the snorkelwhip. Vexillological quandaries abound.');
  t.same(extractTextFeatures(probe), before, 'same vector after unrelated inputs');
});

t.test('tagging in pieces gives the same sentences as one piece', async (t) => {
  // 3 sentences per paragraph, 100 paragraphs: ~9000 chars, read by the tagger in several pieces
  const para = 'The dog ran home. It was told to stay. Nobody knew why it left, because it was late.';
  const one = textFeatureRecord(para);
  t.equal(one.sentence_count, 3);
  const many = textFeatureRecord(Array.from({ length: 100 }, () => para).join('\n\n'));
  t.equal(many.sentence_count, 300, 'sentence count scales exactly');
  t.equal(many.passive_voice_ratio, one.passive_voice_ratio, 'passive ratio unchanged');
  t.equal(many.subordinate_clause_rate, one.subordinate_clause_rate, 'subordinate clause rate unchanged');
  t.equal(many.syntax_tree_depth, one.syntax_tree_depth, 'depth proxy unchanged');
  t.equal(many.noun_ratio, one.noun_ratio, 'POS ratios unchanged');
  // one 13,000-char paragraph without line breaks is cut after sentence ends
  const long = textFeatureRecord('The dog ran home. '.repeat(750));
  t.equal(long.sentence_count, 750);
  t.equal(long.avg_sentence_length, 4);
});
