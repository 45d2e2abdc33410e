import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmbedder, type OnnxEmbedder } from '../../src/encoder/index.js';
import { EncoderOverloadedError, EncoderUnavailableError } from '../../src/encoder/errors.js';
import { INT8_NEIGHBOUR_MAX_ABS } from '../helpers/int8-bounds.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const A = fixture('tiny-encoder');
const B = fixture('tiny-encoder-b');

const paragraph =
  'The committee met on Tuesday to review the budget. Several members raised concerns about the timeline, ' +
  'and the chair — after a long pause — agreed to revisit it.\nNext steps: draft, review, publish. ';
const texts = [paragraph.repeat(12), 'A short one.', '', paragraph, paragraph.repeat(3).toUpperCase(), 'café ☕ — “quoted”'];

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function tmpCopy(t: { teardown(fn: () => void): void }, dir: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'enc-'));
  cpSync(dir, d, { recursive: true });
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function open(t: { teardown(fn: () => unknown): void }, dir: string, opts: Partial<Parameters<typeof createEmbedder>[0]> = {}): Promise<OnnxEmbedder> {
  const e = await createEmbedder({ dir, precision: 'fp32', device: 'cpu', intraOpThreads: 1, ...opts });
  t.teardown(() => e.close());
  return e;
}

t.test('loads the fixture and describes it', async (t) => {
  const e = await open(t, A);
  const config = JSON.parse(readFileSync(path.join(A, 'config.json'), 'utf8'));
  t.equal(e.info.id, config.id);
  t.equal(e.info.dim, 32);
  t.equal(e.info.maxLength, 64);
  t.equal(e.info.sha256, config.files['model.onnx'], 'reports the sha256 of the ONNX file it loaded');
  t.equal(e.info.precision, 'fp32');
  t.equal(e.info.device, 'cpu');
});

t.test('a long text is windowed, never truncated, and pooled', async (t) => {
  const e = await open(t, A);
  const text = texts[0];
  const emb = await e.embed(text);
  t.ok(emb.windows.length > 3, `${emb.windows.length} windows`);
  t.equal(emb.windows[0].start, 0);
  t.equal(emb.windows[emb.windows.length - 1].end, text.length);
  for (let i = 1; i < emb.windows.length; i++) t.ok(emb.windows[i].start < emb.windows[i - 1].end, 'consecutive windows overlap');
  t.equal(emb.tokens, e.prepare(text).tokens);
  t.ok(emb.tokens > e.info.maxLength, 'more tokens than one window holds');
  t.equal(emb.vector.length, 32);
  t.ok(Math.abs(norm(emb.vector) - 1) < 1e-5, 'L2-normalised');
  for (const w of emb.windows) {
    t.ok(w.tokens <= e.info.maxLength);
    t.ok(Math.abs(norm(w.vector) - 1) < 1e-5, 'window vectors are L2-normalised mean pools');
  }
  // the text vector is the token-weighted mean of the window vectors, L2-normalised
  const acc = new Float64Array(32);
  for (const w of emb.windows) for (let d = 0; d < 32; d++) acc[d] += w.tokens * w.vector[d];
  const n = Math.sqrt(acc.reduce((s, x) => s + x * x, 0));
  t.ok(maxAbsDiff(emb.vector, Float32Array.from(acc, (x) => x / n)) < 1e-6);
  // a short text is one window whose vector is the text vector
  const short = await e.embed('A short one.');
  t.equal(short.windows.length, 1);
  t.ok(maxAbsDiff(short.vector, short.windows[0].vector) === 0);
  t.notOk(maxAbsDiff(short.vector, emb.vector) < 1e-3, 'different texts, different vectors');
});

t.test('empty text still embeds (special tokens only)', async (t) => {
  const e = await open(t, A);
  const emb = await e.embed('');
  t.equal(emb.tokens, 0);
  t.equal(emb.windows.length, 1);
  t.same([emb.windows[0].start, emb.windows[0].end], [0, 0]);
  t.ok(emb.vector.every(Number.isFinite));
  t.ok(Math.abs(norm(emb.vector) - 1) < 1e-5);
});

for (const precision of ['fp32', 'int8'] as const) {
  // fp32 padding is exact up to float rounding. int8 (onnx_int8.py's row-s7) gives each token its own
  // activation scale and exact integer sums, so a batch's neighbours reach a vector only through float
  // rounding that may flip one activation's rounding step. The bound: neighbours move a vector by at most
  // a tenth of what quantization itself moves it (test/helpers/int8-bounds.ts);
  // the old per-tensor scales moved it by as much as the quantization error (2.2e-2 on VNNI, 3.3e-2 on AVX2).
  const tol = precision === 'fp32' ? 1e-5 : INT8_NEIGHBOUR_MAX_ABS;
  t.test(`${precision}: concurrent calls are batched and give the one-by-one vectors; embedMany equals embed`, async (t) => {
    const e = await open(t, A, { precision, maxWaitMs: 20 });
    const single = [];
    for (const x of texts) single.push(await e.embed(x));
    const before = e.stats().batches;
    const together = await Promise.all(texts.map((x) => e.embed(x)));
    const batchesUsed = e.stats().batches - before;
    const windows = single.reduce((s, x) => s + x.windows.length, 0);
    t.ok(batchesUsed < texts.length, `${texts.length} concurrent calls (${windows} windows) ran in ${batchesUsed} batches`);
    const many = await e.embedMany(texts);
    for (let i = 0; i < texts.length; i++) {
      t.ok(maxAbsDiff(single[i].vector, together[i].vector) <= tol, `text ${i}: batched = one-by-one`);
      t.ok(maxAbsDiff(single[i].vector, many[i].vector) <= tol, `text ${i}: embedMany = embed`);
      t.same(many[i].windows.map((w) => [w.start, w.end, w.tokens]), single[i].windows.map((w) => [w.start, w.end, w.tokens]));
      t.equal(many[i].tokens, single[i].tokens);
    }
    t.same(await e.embedMany([]), []);
  });
}

t.test('swap: a differently shaped encoder (token_type_ids, dim 48, WordPiece) loads from its directory', async (t) => {
  const e = await open(t, B);
  t.equal(e.info.dim, 48);
  t.equal(e.info.maxLength, 48);
  t.ok(e.runtime.inputs.includes('token_type_ids'), 'declares token_type_ids, fed as zeros');
  const emb = await e.embed(texts[0]);
  t.equal(emb.vector.length, 48);
  t.ok(emb.windows.every((w) => w.tokens <= 48));
  t.ok(Math.abs(norm(emb.vector) - 1) < 1e-5);
  const i8 = await open(t, B, { precision: 'int8' });
  t.equal(i8.info.sha256, JSON.parse(readFileSync(path.join(B, 'config.json'), 'utf8')).files['model.int8.onnx']);
  t.equal((await i8.embed('hello')).vector.length, 48);
});

t.test('a corrupted model file is refused at start with a clear reason', async (t) => {
  for (const [precision, file] of [['fp32', 'model.onnx'], ['int8', 'model.int8.onnx']] as const) {
    const d = tmpCopy(t, A);
    const p = path.join(d, file);
    const bytes = readFileSync(p);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff; // flip one byte
    writeFileSync(p, bytes);
    const err = await createEmbedder({ dir: d, precision, device: 'cpu' }).then(
      () => null,
      (e: unknown) => e,
    );
    t.type(err, EncoderUnavailableError);
    t.match((err as EncoderUnavailableError).reason, new RegExp(`${file.replace('.', '\\.')} is corrupt or was replaced: sha256 [0-9a-f]{64} does not match`));
    t.equal((err as EncoderUnavailableError).modelName, 'encoder');
  }
  const d = tmpCopy(t, A);
  writeFileSync(path.join(d, 'tokenizer.json'), readFileSync(path.join(d, 'tokenizer.json'), 'utf8').replace('[UNK]', '[UNX]'));
  await t.rejects(createEmbedder({ dir: d, precision: 'fp32', device: 'cpu' }), { name: 'EncoderUnavailableError', reason: /tokenizer\.json is corrupt/ });
});

t.test('missing files and bad configs are refused with a message naming them', async (t) => {
  const cases: [string, (d: string) => void, RegExp][] = [
    ['missing ONNX file', (d) => unlinkSync(path.join(d, 'model.int8.onnx')), /model\.int8\.onnx is missing/],
    ['missing tokenizer', (d) => unlinkSync(path.join(d, 'tokenizer.json')), /tokenizer\.json is missing/],
    ['missing config', (d) => unlinkSync(path.join(d, 'config.json')), /config\.json is missing/],
    ['config not JSON', (d) => writeFileSync(path.join(d, 'config.json'), '{nope'), /config\.json is not valid JSON/],
    [
      'no hash for the ONNX file',
      (d) => {
        const c = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
        delete c.files['model.int8.onnx'];
        writeFileSync(path.join(d, 'config.json'), JSON.stringify(c));
      },
      /needs model\.int8\.onnx, which config\.json does not list/,
    ],
    [
      'config dim disagrees with the model',
      (d) => {
        const c = JSON.parse(readFileSync(path.join(d, 'config.json'), 'utf8'));
        c.dim = 33;
        writeFileSync(path.join(d, 'config.json'), JSON.stringify(c));
      },
      /warm-up inference failed: .*expected float32 \[1, \d+, 33\]/,
    ],
  ];
  for (const [name, breakIt, message] of cases) {
    const d = tmpCopy(t, A);
    breakIt(d);
    await t.rejects(createEmbedder({ dir: d, precision: 'int8', device: 'cpu' }), { name: 'EncoderUnavailableError', reason: message }, name);
  }
  await t.rejects(createEmbedder({ dir: path.join(os.tmpdir(), 'no-such-encoder-dir'), precision: 'int8', device: 'cpu' }), {
    reason: /config\.json is missing .*no-such-encoder-dir/,
  });
});

t.test('overload: a tiny queue refuses extra work with EncoderOverloadedError while accepted work completes', async (t) => {
  const e = await open(t, A, { maxQueue: 4, maxWaitMs: 30 });
  const ref = await e.embed('A short one.');
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => e.embed('A short one.')));
  const ok = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<Awaited<ReturnType<typeof e.embed>>>[];
  const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  t.equal(ok.length, 4, 'the queue took 4 windows');
  t.equal(refused.length, 6);
  for (const r of refused) t.type(r.reason, EncoderOverloadedError);
  for (const r of ok) t.ok(maxAbsDiff(r.value.vector, ref.vector) < 1e-5, 'accepted work gives the right answer');
  t.same(e.stats(), { queued: 0, running: 0, batches: e.stats().batches });
});

t.test('abort: queued work of an aborted request is dropped and its promise rejects with the reason', async (t) => {
  const e = await open(t, A, { maxWaitMs: 50 });
  const ac = new AbortController();
  const reason = new Error('deadline');
  const other = e.embed(paragraph);
  const aborted = e.embed(texts[0], { signal: ac.signal });
  const windows = e.prepare(texts[0]).windows.length;
  const otherWindows = e.prepare(paragraph).windows.length;
  await new Promise((r) => setImmediate(r));
  t.equal(e.stats().queued, windows + otherWindows, 'both requests queued');
  ac.abort(reason);
  t.equal(e.stats().queued, otherWindows, 'the aborted request left the queue at once');
  await t.rejects(aborted, reason);
  t.equal((await other).vector.length, 32, 'the other request completes');
  const many = new AbortController();
  many.abort(reason);
  await t.rejects(e.embedMany(texts, { signal: many.signal }), reason);
});

t.test('DEVICE=cuda without a CUDA provider falls back to CPU with a warning', async (t) => {
  const warnings: string[] = [];
  const e = await open(t, A, { device: 'cuda', logger: { warn: (_o, m) => warnings.push(String(m)), info() {} } });
  t.equal(e.info.device, 'cpu');
  t.match(warnings.join('\n'), /CUDA/);
  t.equal((await e.embed('hi')).vector.length, 32);
});

t.test('close finishes accepted work, then refuses', async (t) => {
  const e = await createEmbedder({ dir: A, precision: 'fp32', device: 'cpu', maxWaitMs: 10 });
  const p = e.embed(paragraph);
  await e.close();
  t.equal((await p).vector.length, 32);
  await t.rejects(e.embed('x'), EncoderUnavailableError);
});

t.test('inference in the worker thread (default) and in-process (worker: false) give the same vectors', async (t) => {
  const inWorker = await open(t, A);
  const inProcess = await open(t, A, { worker: false });
  for (const text of texts) {
    const a = await inWorker.embed(text);
    const b = await inProcess.embed(text);
    t.equal(maxAbsDiff(a.vector, b.vector), 0, JSON.stringify(text.slice(0, 30)));
  }
});
