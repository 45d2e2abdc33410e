/**
 * embedSpans: one encoder pass per text, with the pools of that pass's token states over character spans.
 * Checked against a reference computed here straight from onnxruntime's last_hidden_state on the
 * tiny fixture encoder, over several windows, overlapping spans and spans that hold no token.
 */
import t from 'tap';
import ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbedder, spanGroups, type OnnxEmbedder } from '../../src/encoder/index.js';
import { TextTokenizer } from '../../src/encoder/tokenize.js';
import { headSpans, textHalves, textPartRanges, textParts } from '../../src/heads/segments.js';

const A = fileURLToPath(new URL('../fixtures/tiny-encoder', import.meta.url));
const config = JSON.parse(readFileSync(path.join(A, 'config.json'), 'utf8'));
const paragraph =
  'The committee met on Tuesday to review the budget. Several members raised concerns about the timeline, ' +
  'and the chair — after a long pause — agreed to revisit it.\nNext steps: draft, review, publish. ';

async function open(t: { teardown(fn: () => unknown): void }, opts: Partial<Parameters<typeof createEmbedder>[0]> = {}): Promise<OnnxEmbedder> {
  const e = await createEmbedder({ dir: A, precision: 'fp32', device: 'cpu', intraOpThreads: 1, ...opts });
  t.teardown(() => e.close());
  return e;
}

const l2 = (v: ArrayLike<number>): Float64Array => {
  const n = Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
  return Float64Array.from(v, (x) => (n > 0 ? x / n : 0));
};
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** the spans' pools computed here from the model's token states, one window at a time */
async function reference(text: string, spans: [number, number][]): Promise<{ whole: Float64Array; spans: (Float64Array | null)[] }> {
  const tokenizer = new TextTokenizer(JSON.parse(readFileSync(path.join(A, 'tokenizer.json'), 'utf8')));
  const tok = tokenizer.tokenize(text);
  const windows = tokenizer.windows(text, tok, config.max_length, config.stride);
  const session = await ort.InferenceSession.create(path.join(A, 'model.onnx'));
  const dim = config.dim;
  const wholeAcc = new Float64Array(dim);
  const accs = spans.map(() => ({ v: new Float64Array(dim), n: 0 }));
  const prefix = tokenizer.prefixIds.length;
  for (const w of windows) {
    const ids = BigInt64Array.from(w.ids, (x) => BigInt(x));
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [1, ids.length]) };
    if (session.inputNames.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const h = (await session.run(feeds)).last_hidden_state.data as Float32Array;
    const mean = (rows: number[]) => {
      const s = new Float64Array(dim);
      for (const r of rows) for (let d = 0; d < dim; d++) s[d] += h[r * dim + d];
      return l2(s);
    };
    const all = mean(w.ids.map((_, i) => i));
    for (let d = 0; d < dim; d++) wholeAcc[d] += w.ids.length * all[d];
    spans.forEach(([a, b], k) => {
      const rows: number[] = [];
      for (let i = w.tokenStart; i < w.tokenEnd; i++) if (tok.starts[i] >= a && tok.starts[i] < b) rows.push(prefix + i - w.tokenStart);
      if (rows.length === 0) return;
      const m = mean(rows);
      for (let d = 0; d < dim; d++) accs[k].v[d] += rows.length * m[d];
      accs[k].n += rows.length;
    });
  }
  await session.release();
  return { whole: l2(wholeAcc), spans: accs.map((a) => (a.n > 0 ? l2(a.v) : null)) };
}

t.test('span pools of one pass equal the token states pooled over each span, across windows', async (t) => {
  const e = await open(t);
  const text = paragraph.repeat(6);
  const q = textPartRanges(text, 4);
  const spans: [number, number][] = [...textPartRanges(text, 2), ...q, [0, text.length], [q[1][0], q[3][1]], [10, 11], [text.length, text.length]];
  const got = await e.embedSpans(text, spans);
  const ref = await reference(text, spans);
  t.ok(got.embedding.windows.length > 3, `${got.embedding.windows.length} windows`);
  t.ok(maxAbs(got.embedding.vector, ref.whole) < 1e-5, 'the whole-text embedding is the usual one');
  t.ok(maxAbs(got.embedding.vector, (await e.embed(text)).vector) < 1e-6, 'and equals embed()');
  spans.forEach((s, k) => {
    const r = ref.spans[k];
    if (r) t.ok(maxAbs(got.spans[k], r) < 1e-5, `span ${s.join('-')} (max |diff| ${maxAbs(got.spans[k], r).toExponential(1)})`);
    else t.ok(maxAbs(got.spans[k], got.embedding.vector) === 0, `span ${s.join('-')} holds no token: the whole text's vector`);
  });
  t.ok(ref.spans[spans.length - 1] === null, 'the empty span at the end holds no token');
  t.ok(maxAbs(got.spans[2], got.spans[5]) > 1e-3, 'different spans, different vectors');
});

t.test('one pass: the same windows and batches as embed(), none for the spans', async (t) => {
  const e = await open(t, { maxBatchSize: 1 });
  const text = paragraph.repeat(4);
  const before = e.stats().batches;
  await e.embed(text);
  const one = e.stats().batches - before;
  await e.embedSpans(text, headSpans(text));
  t.equal(e.stats().batches - before - one, one, `${one} windows, each run once`);
  const seven = e.stats().batches;
  await e.embedMany([text, ...textHalves(text), ...textParts(text, 4)]);
  t.ok(e.stats().batches - seven > 2 * one, 'seven passes take more than twice as many windows');
});

t.test('short, empty and concurrent texts', async (t) => {
  const e = await open(t);
  const empty = await e.embedSpans('', headSpans(''));
  t.equal(empty.spans.length, 6);
  for (const v of empty.spans) t.same(Array.from(v), Array.from(empty.embedding.vector), 'an empty text: every span is the whole');
  const texts = ['One.', 'Two words.', paragraph, paragraph.repeat(3), 'café ☕ — “quoted” text here'];
  const together = await Promise.all(texts.map((x) => e.embedSpans(x, headSpans(x))));
  for (let i = 0; i < texts.length; i++) {
    const alone = await e.embedSpans(texts[i], headSpans(texts[i]));
    t.ok(together[i].spans.every((v, k) => maxAbs(v, alone.spans[k]) < 1e-5), `text ${i}: batched with others or alone, the same span pools`);
  }
});

t.test('spanGroups: every token of a window in the segment its first character falls in', async (t) => {
  const tokenizer = new TextTokenizer(JSON.parse(readFileSync(path.join(A, 'tokenizer.json'), 'utf8')));
  const text = paragraph.repeat(3);
  const tok = tokenizer.tokenize(text);
  const windows = tokenizer.windows(text, tok, config.max_length, config.stride);
  const plan = spanGroups(tok, windows, [[0, 100], [50, 200]], tokenizer.prefixIds.length);
  t.same(plan.members, [[0, 1], [1, 2]], 'edges 0, 50, 100, 200: three segments');
  const counts = [0, 0, 0];
  let outside = 0;
  for (const g of plan.groups) for (const s of g) s === 255 ? outside++ : counts[s]++;
  t.ok(counts.every((c) => c > 0) && outside > 0, 'tokens in each segment, special tokens and the rest outside');
  t.same(plan.counts.reduce((a, c) => a.map((x, i) => x + c[i]), [0, 0, 0]), counts, 'the counts match the groups');
  t.throws(() => spanGroups(tok, windows, Array.from({ length: 200 }, (_, i) => [i, i + 1000] as [number, number]), 1), RangeError, 'at most 254 segments');
});

t.test('textPartRanges: the halves and quarters as gap-free character ranges', async (t) => {
  const text = '  alpha beta\ngamma  delta epsilon zeta eta theta ';
  const q = textPartRanges(text, 4);
  t.same(q.map(([a, b]) => text.slice(a, b).trim().split(/\s+/)), textParts(text, 4).map((p) => p.split(' ')), 'the words of textParts');
  t.equal(q[0][0], 0);
  t.equal(q[3][1], text.length);
  for (let k = 1; k < 4; k++) t.equal(q[k][0], q[k - 1][1], 'no gap');
  const h = textPartRanges(text, 2);
  t.same(h.map(([a, b]) => text.slice(a, b).trim()), textHalves(text), 'n = 2: the halves of textHalves');
  t.same(h, [[0, q[1][1]], [q[2][0], text.length]], 'the halves are two quarters each');
  t.same(textPartRanges('one two', 4), Array(4).fill([0, 7]), 'fewer words than parts: the whole text');
});
