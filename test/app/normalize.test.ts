import fc from 'fast-check';
import t from 'tap';
import { findLoneSurrogate, normalizeText } from '../../src/detectors/normalize.js';

t.test('NFC', async (t) => {
  const n = normalizeText('cafe\u0301 au lait');
  t.equal(n.text, 'caf\u00e9 au lait');
  t.same(n.warnings, []);
  t.equal(n.toOriginal(0), 0);
  t.equal(n.toOriginal(4), 5, 'the offset after the composed character maps past both input characters');
  t.equal(n.toOriginal(n.text.length), 'cafe\u0301 au lait'.length);
});

t.test('NUL and control characters are removed with a warning; tab/newline kept', async (t) => {
  const n = normalizeText('a\u0000b\u0007c\td\ne\u009f');
  t.equal(n.text, 'abc\td\ne');
  t.match(n.warnings[0], /removed 3 control characters/);
});

t.test('zero-width characters are removed and reported as possible evasion', async (t) => {
  const input = 'wri\u200bt\u200dten by\ufeff me\u00ad';
  const n = normalizeText(input);
  t.equal(n.text, 'written by me');
  t.match(n.warnings[0], /possible evasion attempt: removed 4 zero-width/);
  t.equal(input.slice(n.toOriginal(8), n.toOriginal(10)), 'by\ufeff', 'offsets map back to the input; removed characters stay with the text before them');
});

t.test('homoglyph mixes are reported and folded; pure Cyrillic and Greek words are left alone', async (t) => {
  const n = normalizeText('The pаper (Cyrillic а) and Ελληνικά and русский текст.');
  t.equal(n.text, 'The paper (Cyrillic а) and Ελληνικά and русский текст.');
  t.match(n.warnings.join(), /1 word mixes Latin with Cyrillic or Greek/);
  t.same(normalizeText('Ελληνικά και русский').warnings, []);
});

t.test('lone surrogates are found; pairs are fine', async (t) => {
  t.equal(findLoneSurrogate('ok 😀'), -1);
  t.equal(findLoneSurrogate('ab\ud800c'), 2);
  t.equal(findLoneSurrogate('ab\udc00'), 2);
  t.equal(findLoneSurrogate('\ud83d'), 0);
});

t.test('property: output is NFC, free of controls and zero-width characters, offsets monotone and in range', async (t) => {
  const unit = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 3 }),
    fc.constantFrom('\u0000', '\u200b', '\u0301', 'e', 'а', 'p', ' ', '\n', '\u1100', '\u1161', '😀', '\u00ad'),
  );
  fc.assert(
    fc.property(fc.array(unit, { maxLength: 30 }).map((a) => a.join('')), (s) => {
      const n = normalizeText(s);
      if (n.text !== n.text.normalize('NFC')) return false;
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u200b\u00ad]/.test(n.text)) return false;
      let prev = 0;
      for (let i = 0; i <= n.text.length; i++) {
        const o = n.toOriginal(i);
        if (o < prev || o > s.length) return false;
        prev = o;
      }
      return n.toOriginal(n.text.length) === s.length && (n.text.length === 0 || n.toOriginal(0) === 0);
    }),
    { numRuns: 2000 },
  );
  t.pass('property held for 2000 generated strings');
});
