/**
 * The likelihood model (models/likelihood, run by onnxruntime-node) on real texts, its features, its
 * verification, and the opt-in `likelihood` option over HTTP. No exact floats: orderings and ranges.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
t.setTimeout(900_000); // the likelihood model on a loaded 2-core machine: more than tap's default per-file timeout
import { Detectors } from '../../src/detectors/index.js';
import { LikelihoodDetector } from '../../src/detectors/likelihood.js';
import { COMBINATION_FEATURES } from '../../src/features/likelihood.js';
import { fitLogistic } from '../../training/fit/logistic.js';
import { LIKELIHOOD_FEATURES, likelihoodFeatures } from '../../src/features/likelihood.js';
import { LikelihoodModel } from '../../src/likelihood/index.js';
import { loadConfig } from '../../src/config.js';
import { LONG_TEXT, build, post } from '../helpers/build.js';
import { TestDoubleJudgmentDetector, TestDoubleTextDetector } from '../helpers/doubles.js';

const DIR = fileURLToPath(new URL('../../models/likelihood/', import.meta.url));

// well-known texts a language model has read many times, copied verbatim
const FAMOUS = [
  'We hold these truths to be self-evident, that all men are created equal, that they are endowed by their Creator with certain unalienable Rights, that among these are Life, Liberty and the pursuit of Happiness.',
  'Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal.',
  'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, it was the epoch of belief, it was the epoch of incredulity.',
];

/** The same words in a seeded random order. */
function shuffled(text: string, seed: number): string {
  const w = text.split(' ');
  let s = seed;
  for (let i = w.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [w[i], w[j]] = [w[j], w[i]];
  }
  return w.join(' ');
}

let model: LikelihoodModel;
t.before(async () => {
  model = await LikelihoodModel.load({ dir: DIR, maxTokens: 64, intraOpThreads: 1 });
});
t.teardown(async () => model?.close());

t.test('a famous text copied verbatim reads as more predictable than the same words shuffled', async (t) => {
  for (const [k, text] of FAMOUS.entries()) {
    const verbatim = likelihoodFeatures(await model.score(text));
    const mixed = likelihoodFeatures(await model.score(shuffled(text, k + 7)));
    t.ok(verbatim.lm_logp_mean > mixed.lm_logp_mean + 1, `${k}: mean log-probability ${verbatim.lm_logp_mean.toFixed(2)} > ${mixed.lm_logp_mean.toFixed(2)} + 1`);
    t.ok(verbatim.lm_log_rank_mean < mixed.lm_log_rank_mean, `${k}: its tokens rank higher in the model's choices`);
    t.ok(verbatim.lm_top1_share > mixed.lm_top1_share, `${k}: more tokens are the model's first choice`);
    t.ok(verbatim.lm_fast_detectgpt > mixed.lm_fast_detectgpt, `${k}: Fast-DetectGPT reads the verbatim text as more model-like`);
    t.ok(verbatim.lm_entropy_mean < mixed.lm_entropy_mean, `${k}: the model is surer of what comes next`);
  }
});

t.test('features are finite and in range, and the text is read up to maxTokens', async (t) => {
  const f = likelihoodFeatures(await model.score(LONG_TEXT.repeat(3)));
  t.same(Object.keys(f), [...LIKELIHOOD_FEATURES]);
  for (const [k, v] of Object.entries(f)) t.ok(Number.isFinite(v), `${k} is finite`);
  t.equal(f.lm_tokens, 64, 'a long text is cut at maxTokens');
  t.ok(f.lm_logp_mean < 0 && f.lm_logp_std >= 0 && f.lm_entropy_mean >= 0, 'log-probabilities negative, spread and entropy non-negative');
  t.ok(f.lm_top1_share >= 0 && f.lm_top1_share <= 1);
  const short = await model.score('Hello.');
  t.equal(short.observed.length, model.tokenize('Hello.').length, 'every token of a short text is scored');
  t.same(likelihoodFeatures({ observed: new Float32Array(0), expected: new Float32Array(0), variance: new Float32Array(0), rank: new Float32Array(0) }).lm_tokens, 0, 'no tokens: zeros, no NaN');
});

t.test('scoring stops when the signal fires', async (t) => {
  const c = new AbortController();
  c.abort(new Error('deadline'));
  await t.rejects(model.score(LONG_TEXT, c.signal), /deadline/);
  t.ok((await model.score('Still working afterwards.')).observed.length > 0, 'the model still answers the next text');
});

t.test('a model file that does not match its sha256 is refused', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'likelihood-'));
  for (const f of ['config.json', 'tokenizer.json']) cpSync(path.join(DIR, f), path.join(dir, f));
  const tok = path.join(dir, 'tokenizer.json');
  writeFileSync(tok, readFileSync(tok, 'utf8').replace('"model"', '"model" '));
  await t.rejects(LikelihoodModel.load({ dir }), /tokenizer\.json is corrupt or was replaced/);
  await t.rejects(LikelihoodModel.load({ dir: path.join(dir, 'nowhere') }), /config\.json cannot be read/);
});

t.test('LIKELIHOOD turns the model on; anything but on/off is a configuration error', async (t) => {
  t.equal(loadConfig({}).likelihood, undefined, 'off by default');
  const on = loadConfig({ LIKELIHOOD: 'on', MODEL_DIR: '/srv/models', LIKELIHOOD_MAX_TOKENS: '128' }).likelihood;
  t.same(on, { dir: '/srv/models/likelihood', maxTokens: 128 });
  t.throws(() => loadConfig({ LIKELIHOOD: 'yes' }), /LIKELIHOOD/);
});

t.test('the combination head: the heads\' ai_probability and the features, with a signed explanation; never across heads versions', async (t) => {
  // a small combination fitted here on made-up rows (the shipped head.json is fitted by training/eval-likelihood.ts)
  const X: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 40; i++) {
    const llm = i % 2;
    X.push(Float64Array.from(COMBINATION_FEATURES.map((_, j) => (llm ? 1 : -1) * (j === 0 ? 2 : 0.5) + Math.sin(i * (j + 1)))));
    y.push(llm);
  }
  const head = fitLogistic(X, y, { features: [...COMBINATION_FEATURES], classes: ['human', 'llm'] });
  const d = LikelihoodDetector.of(model, { model: head, heads: 'heads-1' });
  const lo = await d.analyze(FAMOUS[0], undefined, { aiProbability: 0.05, version: 'heads-1' });
  const hi = await d.analyze(FAMOUS[0], undefined, { aiProbability: 0.95, version: 'heads-1' });
  t.ok(lo.answer.ai_probability! >= 0 && hi.answer.ai_probability! <= 1);
  t.ok(hi.answer.ai_probability! > lo.answer.ai_probability!, 'a higher heads ai_probability raises the combination (its weight is positive here)');
  t.equal(hi.answer.explanation!.length, COMBINATION_FEATURES.length, 'one signed entry per input');
  t.same(new Set(hi.answer.explanation!.map((e) => e.feature)), new Set(COMBINATION_FEATURES));
  const sizes = hi.answer.explanation!.map((e) => Math.abs(e.contribution));
  t.same(sizes, [...sizes].sort((a, b) => b - a), 'largest first');
  t.same(lo.warnings, []);
  const other = await d.analyze(FAMOUS[0], undefined, { aiProbability: 0.95, version: 'heads-2' });
  t.equal(other.answer.ai_probability, undefined, 'fitted on other heads: not combined');
  t.match(other.warnings[0], /fitted on text heads heads-1, not heads-2/);
  t.equal((await d.analyze(FAMOUS[0])).answer.ai_probability, undefined, 'no heads answer (involvement only): not combined');
});

t.test('the shipped combination head loads, matches the shipped text heads, and answers only at the tokens it was fitted on', async (t) => {
  const headsVersion = JSON.parse(readFileSync(fileURLToPath(new URL('../../models/heads/config.json', import.meta.url)), 'utf8')).version;
  const d = await LikelihoodDetector.load({ dir: DIR, warmup: false });
  t.teardown(() => d.close());
  t.equal(d.combination?.heads, headsVersion, 'fitted on the text heads that ship');
  t.equal(d.combination?.maxTokens, d.lm.maxTokens, 'at the default LIKELIHOOD_MAX_TOKENS');
  const r = await d.analyze(FAMOUS[1], undefined, { aiProbability: 0.5, version: headsVersion });
  t.ok(r.answer.ai_probability! > 0 && r.answer.ai_probability! < 1);
  t.equal(r.answer.explanation?.length, COMBINATION_FEATURES.length);
  const other = await LikelihoodDetector.load({ dir: DIR, warmup: false, maxTokens: 64 });
  t.teardown(() => other.close());
  const r64 = await other.analyze(FAMOUS[1], undefined, { aiProbability: 0.5, version: headsVersion });
  t.equal(r64.answer.ai_probability, undefined, 'features of another length: not combined');
  t.match(r64.warnings[0], /first 256 tokens, this instance reads 64/);
});

// last: closing the app closes the model it was given
t.test('over HTTP: `likelihood: true` adds the block where the model is on, 503 naming it where it is off', async (t) => {
  const withLm = await build(t, { detectors: Detectors.of({ text: new TestDoubleTextDetector(), judgment: new TestDoubleJudgmentDetector(), likelihood: LikelihoodDetector.of(model) }) });
  const res = await post(withLm, '/v1/text/analyze', { text: FAMOUS[0], likelihood: true });
  t.equal(res.statusCode, 200, res.body);
  const lm = res.json().likelihood;
  t.equal(lm.model.id, 'smollm2-135m-likelihood');
  t.ok(lm.tokens > 10 && lm.perplexity > 1 && Number.isFinite(lm.fast_detectgpt));
  t.same(Object.keys(lm.features), [...LIKELIHOOD_FEATURES]);
  t.ok(res.json().role, 'the role answer is still there');
  t.equal((await post(withLm, '/v1/text/analyze', { text: FAMOUS[0] })).json().likelihood, undefined, 'not asked: not computed');
  const batch = await post(withLm, '/v1/text/analyze/batch', { items: [{ id: 'a', text: FAMOUS[1] }, { id: 'b', text: '' }], likelihood: true });
  t.ok(batch.json().results[0].likelihood.tokens > 0, 'batch items get it too');
  t.equal(batch.json().results[1].error.status, 400);
  const models = (await withLm.inject({ method: 'GET', url: '/v1/models' })).json().models;
  t.same(models.map((m: { name: string }) => m.name), ['encoder', 'text-heads', 'judgments', 'likelihood']);
  t.equal(models[3].state, 'ready');

  const without = await build(t);
  const off = await post(without, '/v1/text/analyze', { text: FAMOUS[0], likelihood: true });
  t.equal(off.statusCode, 503);
  t.match(off.headers['content-type'], /problem\+json/);
  t.match(off.json().detail, /likelihood.*LIKELIHOOD=on/);
  const ready = await without.inject({ method: 'GET', url: '/readyz' });
  t.equal(ready.statusCode, 200, 'an instance without the model is still ready');
  t.notOk(ready.json().models.some((m: { name: string }) => m.name === 'likelihood'), 'and does not list it');
});
