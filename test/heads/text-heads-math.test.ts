import t from 'tap';
import fc from 'fast-check';
import { softmaxOf } from '../../src/heads/linear.js';
import { sentenceGroups } from '../../src/heads/segments.js';

t.test('softmax sums to 1, is shift-invariant, and temperature flattens it', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 2, maxLength: 6 }), fc.double({ min: 0.1, max: 10, noNaN: true }), (l, T) => {
      const p = softmaxOf(l, T);
      const s = p.reduce((a, b) => a + b, 0);
      const q = softmaxOf(l.map((v) => v + 3), T);
      return Math.abs(s - 1) < 1e-9 && p.every((v, i) => Math.abs(v - q[i]) < 1e-9);
    }),
  );
  const sharp = softmaxOf([2, 0, 0], 1);
  const flat = softmaxOf([2, 0, 0], 4);
  t.ok(flat[0] < sharp[0], 'higher temperature lowers the top probability');
  t.ok(flat[0] > 1 / 3, 'but keeps the order');
});

t.test('sentence groups cover the text in order', async (t) => {
  const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} has exactly seven words here.`).join(' ');
  const g = sentenceGroups(text, 20);
  t.ok(g.length > 1);
  t.equal(g[0].start, 0);
  t.equal(g[g.length - 1].end, text.length);
  for (let i = 1; i < g.length; i++) t.equal(g[i].start, g[i - 1].end);
  for (const x of g.slice(0, -1)) t.ok(x.words >= 20);
  t.same(sentenceGroups('short text.', 60), [{ start: 0, end: 11, words: 2 }]);
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const gs = sentenceGroups(s, 5);
      if (gs[0].start !== 0 || gs[gs.length - 1].end !== s.length) return false;
      for (let i = 1; i < gs.length; i++) if (gs[i].start !== gs[i - 1].end || gs[i].start >= gs[i].end) return false;
      return true;
    }),
  );
});

t.test('halves and the embedding span', async (t) => {
  const { textHalves, embeddingSpan } = await import('../../src/heads/segments.js');
  t.same(textHalves('one two three four five'), ['one two', 'three four five']);
  t.same(textHalves('single'), ['single', 'single']);
  t.equal(embeddingSpan('a b c d e', 3), 'a b c');
  t.equal(embeddingSpan('a b c', 3), 'a b c');
  t.equal(embeddingSpan('a b c  ', 3), 'a b c  ');
  t.equal(embeddingSpan('a b c d', 0), 'a b c d');
});

t.test('heads see whitespace runs collapsed', async (t) => {
  const { normalizeForHeads } = await import('../../src/heads/segments.js');
  t.equal(normalizeForHeads('a  b\t\tc \nd\n  e'), 'a b c\nd\ne');
  t.equal(normalizeForHeads('para one.\n\npara two.'), 'para one.\n\npara two.');
});
