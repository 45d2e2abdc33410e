/**
 * loadTextDetector and the answer's shape, with heads fitted here on synthetic rows and a fake
 * embedder (no model files needed): checks, refusals, tasks, segments, explanation, warnings.
 */
import t from 'tap';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadTextDetector } from '../../src/detectors/text.js';
import { DeadlineError, ModelUnavailableError, ROLES } from '../../src/detectors/types.js';
import { DIM, fakeEmbedder, SHA, SYNTHETIC_VOCAB, vec } from '../helpers/fake-embedder.js';
import { extractTextFeatures, TEXT_FEATURE_VERSION, TEXT_FEATURES } from '../../src/features/text.js';
import { fitTextHeadsFrom } from '../../training/fit/text-heads.js';
import { TextHeads, assembleInputs, inputNamesFor } from '../../src/heads/text-heads.js';
import { saveHeads } from '../../training/fit/save-heads.js';
import { headSpans, normalizeForHeads, textHalves, textParts } from '../../src/heads/segments.js';

const vocab = SYNTHETIC_VOCAB;
function textFor(k: number, i: number): string {
  const words = vocab[k].split(' ');
  const out: string[] = [];
  for (let j = 0; j < 40 + (i % 30); j++) out.push(words[(j * 7 + i) % words.length]);
  return out.join(' ') + '. ' + out.slice(0, 20).join(' ') + '.';
}

/** heads fitted here, saved as the fake encoder's (contrast heads with the halves' embedding difference) */
async function saveFitted(out: string, fitted: ReturnType<typeof fitTextHeadsFrom>, more: { quarter_embedding?: boolean; span_pooling?: boolean } = {}): Promise<void> {
  await saveHeads(
    out,
    { standardizer: fitted.standardizer.json, role: fitted.role.json, involvement: fitted.involvement },
    {
      id: 'llm-provenance-text',
      version: 'test+{role}',
      created: new Date().toISOString(),
      encoder: { id: 'fake-encoder', version: '1', dim: DIM, files: { 'model.int8.onnx': SHA }, trained_with: SHA },
      feature_version: TEXT_FEATURE_VERSION,
      features: TEXT_FEATURES.map((f) => f.name),
      embedding_dim: DIM,
      contrast: true,
      contrast_embedding: true,
      ...more,
      roles: [...ROLES],
      calibration: fitted.calibration,
      thresholds: { ai_probability: 0.5, short_text_words: 80, confidence: { high: 0.8, medium: 0.6 } },
      training_data: [],
    },
  );
}

const shape = { features: TEXT_FEATURES.map((f) => f.name), embedding_dim: DIM, contrast: true, contrast_embedding: true };
let dir: string;
t.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'text-heads-'));
  const mk = (n: number, salt: number) => {
    const X: Float64Array[] = [];
    const roles: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      const s = textFor(k, i + salt);
      const [a, b] = textHalves(s);
      X.push(assembleInputs(shape, { f: extractTextFeatures(s), fA: extractTextFeatures(a), fB: extractTextFeatures(b), e: vec(s), eA: vec(a), eB: vec(b) }));
      roles.push(k);
    }
    return { X, masks: roles.map((k) => 1 << k), roles, pr: roles.map((k) => (k === 0 ? 0 : k === 1 ? 1 : 0.5)), weights: new Float64Array(n).fill(1) };
  };
  const inputs = inputNamesFor(shape.features, DIM, true, [], true);
  const fitted = fitTextHeadsFrom(mk(80, 0), mk(80, 1000), { inputs, maxIterations: 60 });
  await saveFitted(path.join(dir, 'heads'), fitted);
});
t.teardown(async () => {
  await rm(dir, { recursive: true, force: true });
});

t.test('answers with calibrated probabilities, a bounded ratio and its interval', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder() });
  t.match(det.model, { id: 'llm-provenance-text' });
  t.match(det.model.version, /^test\+[0-9a-f]{8}$/);
  const text = textFor(1, 5) + ' ' + textFor(0, 3) + ' ' + textFor(2, 8);
  const a = await det.analyze({ text, tasks: ['role', 'involvement'], segments: true, explain: true });
  const p = a.role!.probabilities;
  t.same(Object.keys(p).sort(), [...ROLES].sort());
  t.ok(Math.abs(Object.values(p).reduce((s, v) => s + v, 0) - 1) < 1e-4);
  t.equal(a.role!.label, ROLES.reduce((b, r) => (p[r] > p[b] ? r : b), ROLES[0]));
  t.ok(['low', 'medium', 'high'].includes(a.role!.confidence));
  t.ok(Math.abs(a.ai_probability! - (1 - p.human_author)) < 1e-4);
  const inv = a.involvement!;
  t.ok(inv.ratio >= 0 && inv.ratio <= 1);
  t.ok(inv.interval[0] <= inv.ratio + 1e-9 && inv.ratio <= inv.interval[1] + 1e-9);
  t.ok(inv.interval[0] >= 0 && inv.interval[1] <= 1);
  t.equal(inv.coverage, 0.9);
  // segments cover the text in order
  const seg = a.segments!;
  t.ok(seg.length >= 1);
  t.equal(seg[0].start, 0);
  t.equal(seg[seg.length - 1].end, text.length);
  for (let i = 1; i < seg.length; i++) t.equal(seg[i].start, seg[i - 1].end);
  for (const s of seg) t.ok(s.ai_probability >= 0 && s.ai_probability <= 1);
  // explanation: named features, sorted by |contribution|
  const ex = a.explanation!;
  t.ok(ex.length > 0 && ex.length <= 8);
  for (let i = 1; i < ex.length; i++) t.ok(Math.abs(ex[i - 1].contribution) >= Math.abs(ex[i].contribution));
  const names = new Set(inputNamesFor(shape.features, 0, true).concat(['encoder_embedding', 'halves_delta.encoder_embedding']));
  for (const e of ex) t.ok(names.has(e.feature), e.feature);
  t.match(a.usage, { characters: text.length, windows: 1 });
  t.ok(a.usage.tokens > 0);
  t.same(a.warnings, [], 'long enough: no warning');
  const d = det.describe();
  t.match(d, { id: 'llm-provenance-text', encoder: { id: 'fake-encoder' } });
});

t.test('tasks select the parts; short texts carry a warning; segments/explain only when asked', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder() });
  const a = await det.analyze({ text: 'Just a few words here.', tasks: ['role'], segments: false, explain: false });
  t.ok(a.role);
  t.notOk(a.involvement);
  t.notOk(a.segments);
  t.notOk(a.explanation);
  t.equal(a.warnings.length, 1);
  t.match(a.warnings[0], /text has 5 words; below 80 words/);
  const b = await det.analyze({ text: 'Just a few words here.', tasks: ['involvement'], segments: true, explain: false });
  t.notOk(b.role);
  t.ok(b.involvement);
  t.same(b.segments!.map((s) => [s.start, s.end]), [[0, 22]]);
});

t.test('an aborted request stops with DeadlineError', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder() });
  const ac = new AbortController();
  ac.abort();
  await t.rejects(det.analyze({ text: 'hello there', tasks: ['role'], segments: false, explain: false, signal: ac.signal }), DeadlineError);
});

t.test('refuses heads trained for another encoder', async (t) => {
  const err = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder('cd'.repeat(32)) }).catch((e) => e);
  t.ok(err instanceof ModelUnavailableError);
  t.equal(err.modelName, 'text-heads');
  t.match(err.reason, /trained for encoder fake-encoder/);
  const err2 = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder(SHA, 'other') }).catch((e) => e);
  t.ok(err2 instanceof ModelUnavailableError);
});

t.test('refuses missing or altered head files', async (t) => {
  const missing = await loadTextDetector({ modelDir: path.join(dir, 'nowhere'), embedder: fakeEmbedder() }).catch((e) => e);
  t.ok(missing instanceof ModelUnavailableError);
  t.equal(missing.modelName, 'text-heads');
  t.match(missing.reason, /config\.json cannot be read/);
  const rolePath = path.join(dir, 'heads', 'role.json');
  const orig = await readFile(rolePath, 'utf8');
  await writeFile(rolePath, orig.replace('"type":"softmax"', '"type": "softmax"'));
  const altered = await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder() }).catch((e) => e);
  await writeFile(rolePath, orig);
  t.ok(altered instanceof ModelUnavailableError);
  t.match(altered.reason, /role\.json has sha256/);
  t.ok(await loadTextDetector({ modelDir: dir, embedder: fakeEmbedder() }), 'restored file loads again');
});

t.test('quarter_embedding heads read the first quarter against the rest, as training assembles it', async (t) => {
  const qShape = { ...shape, quarter_embedding: true };
  const qdir = await mkdtemp(path.join(os.tmpdir(), 'text-heads-q-'));
  t.teardown(() => rm(qdir, { recursive: true, force: true }));
  const parts = (s: string) => {
    const [a, b] = textHalves(s);
    return { f: extractTextFeatures(s), fA: extractTextFeatures(a), fB: extractTextFeatures(b), e: vec(s), eA: vec(a), eB: vec(b), eQ: textParts(s, 4).map(vec) };
  };
  const mk = (n: number, salt: number) => {
    const X: Float64Array[] = [];
    const roles: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      // extended texts: a human first quarter, then LLM vocabulary
      const s = k === 3 ? `${textFor(0, i + salt).slice(0, 80)} ${textFor(1, i + salt)} ${textFor(2, i + salt)}` : textFor(k, i + salt);
      X.push(assembleInputs(qShape, parts(s)));
      roles.push(k);
    }
    return { X, masks: roles.map((k) => 1 << k), roles, pr: roles.map((k) => (k === 0 ? 0 : k === 1 ? 1 : 0.5)), weights: new Float64Array(n).fill(1) };
  };
  const inputs = inputNamesFor(shape.features, DIM, true, [], true, true);
  t.equal(inputs.filter((n) => n.startsWith('first_quarter_delta.emb_')).length, DIM);
  const fitted = fitTextHeadsFrom(mk(80, 0), mk(80, 1000), { inputs, maxIterations: 60 });
  await saveFitted(path.join(qdir, 'heads'), fitted, { quarter_embedding: true });
  const emb = fakeEmbedder();
  const det = await loadTextDetector({ modelDir: qdir, embedder: emb });
  const heads = await TextHeads.load(path.join(qdir, 'heads'));
  const text = `${textFor(0, 7)}   ${textFor(2, 9)}\n\n${textFor(1, 4)}`;
  const a = await det.analyze({ text, tasks: ['role'], segments: false, explain: true });
  t.equal(emb.calls, 7, 'the whole text, its two halves and its four quarters');
  const norm = normalizeForHeads(text);
  const served = heads.predict(assembleInputs(qShape, parts(norm)));
  t.ok(Math.abs(a.ai_probability! - served.aiProbability) <= 5e-7, 'the answer (6 decimals) is the heads on the training layout');
  for (const r of ROLES) t.ok(Math.abs(a.role!.probabilities[r] - served.probabilities[r]) <= 5e-7, r);
  const x = assembleInputs(qShape, parts(norm));
  const q = heads.explain(x, served.z, served.labelIndex, 10_000).find((c) => c.feature === 'first_quarter_delta.encoder_embedding');
  t.ok(q && Math.abs(q.contribution) > 1e-6, "the quarters move the label's logit");
  const servedQ = a.explanation!.find((c) => c.feature === 'first_quarter_delta.encoder_embedding');
  t.ok(servedQ && Math.abs(servedQ.contribution - q!.contribution) <= 5e-7, 'the served explanation holds the same quarter contribution');
  const { eQ: _omitted, ...noQuarters } = parts(norm);
  t.notSame(Array.from(heads.predict(assembleInputs(qShape, noQuarters)).z), Array.from(served.z), 'without the quarters the inputs differ');
  const names = new Set(inputNamesFor(shape.features, 0, true).concat(['encoder_embedding', 'halves_delta.encoder_embedding', 'first_quarter_delta.encoder_embedding']));
  for (const e of a.explanation!) t.ok(names.has(e.feature), e.feature);
});

t.test('span_pooling heads: the halves and quarters from the whole text\'s one pass', async (t) => {
  const qShape = { ...shape, quarter_embedding: true };
  const sdir = await mkdtemp(path.join(os.tmpdir(), 'text-heads-span-'));
  t.teardown(() => rm(sdir, { recursive: true, force: true }));
  // the fake one pass: a span's vector is that of its characters (so the answer shows which spans were asked)
  const spanVec = (s: string, [a, b]: [number, number]) => vec(`span:${s.slice(a, b)}`);
  const parts = (s: string) => {
    const [a, b] = textHalves(s);
    const sp = headSpans(s).map((r) => spanVec(s, r));
    return { f: extractTextFeatures(s), fA: extractTextFeatures(a), fB: extractTextFeatures(b), e: vec(s), eA: sp[0], eB: sp[1], eQ: sp.slice(2, 6) };
  };
  const mk = (n: number, salt: number) => {
    const X: Float64Array[] = [];
    const roles: number[] = [];
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      const s = k === 3 ? `${textFor(0, i + salt).slice(0, 80)} ${textFor(1, i + salt)}` : textFor(k, i + salt);
      X.push(assembleInputs(qShape, parts(s)));
      roles.push(k);
    }
    return { X, masks: roles.map((k) => 1 << k), roles, pr: roles.map((k) => (k === 0 ? 0 : k === 1 ? 1 : 0.5)), weights: new Float64Array(n).fill(1) };
  };
  const fitted = fitTextHeadsFrom(mk(80, 0), mk(80, 1000), { inputs: inputNamesFor(shape.features, DIM, true, [], true, true), maxIterations: 60 });
  await saveFitted(path.join(sdir, 'heads'), fitted, { quarter_embedding: true, span_pooling: true });

  const plain = fakeEmbedder();
  const refused = await loadTextDetector({ modelDir: sdir, embedder: plain }).catch((e: unknown) => e);
  t.ok(refused instanceof ModelUnavailableError, 'an embedder without embedSpans cannot serve them');
  t.match((refused as ModelUnavailableError).reason, /span_pooling/);

  const asked: [number, number][][] = [];
  const emb = Object.assign(fakeEmbedder(), {
    async embedSpans(text: string, spans: [number, number][]) {
      asked.push(spans);
      const whole = await emb.embed(text);
      return { embedding: whole, spans: spans.map((r) => spanVec(text, r)) };
    },
  });
  const det = await loadTextDetector({ modelDir: sdir, embedder: emb });
  const heads = await TextHeads.load(path.join(sdir, 'heads'));
  const text = `${textFor(0, 7)}   ${textFor(2, 9)}\n\n${textFor(1, 4)}`;
  const a = await det.analyze({ text, tasks: ['role'], segments: false });
  t.equal(asked.length, 1, 'one embedSpans call');
  t.equal(emb.calls, 1, 'and no pass of its own for any half or quarter');
  const norm = normalizeForHeads(text);
  t.same(asked[0], headSpans(norm), 'the halves and quarters of the text the heads read');
  const served = heads.predict(assembleInputs(qShape, parts(norm)));
  t.ok(Math.abs(a.ai_probability! - served.aiProbability) <= 5e-7, 'the answer is the heads on the training layout');
  const sevenDir = await mkdtemp(path.join(os.tmpdir(), 'text-heads-seven-'));
  t.teardown(() => rm(sevenDir, { recursive: true, force: true }));
  await saveFitted(path.join(sevenDir, 'heads'), fitted, { quarter_embedding: true });
  const seven = await loadTextDetector({ modelDir: sevenDir, embedder: emb });
  const long = textFor(1, 3).repeat(20);
  t.ok(det.cost!({ text: long }) < seven.cost!({ text: long }) / 2, 'admission counts one pass, not seven');
});

t.test('textParts cuts a text into n parts by whitespace words', async (t) => {
  t.same(textParts('a b c d e f g h', 4), ['a b', 'c d', 'e f', 'g h']);
  t.same(textParts('a  b\nc d e', 4), ['a', 'b', 'c', 'd e']);
  t.same(textParts('one two', 4), ['one two', 'one two', 'one two', 'one two'], 'fewer words than parts: the whole text');
  const words = Array.from({ length: 101 }, (_, i) => `w${i}`);
  const q = textParts(words.join(' '), 4);
  t.same(q.join(' ').split(' '), words, 'every word once, in order');
  t.same(q.map((p) => p.split(' ').length), [25, 25, 25, 26]);
});
