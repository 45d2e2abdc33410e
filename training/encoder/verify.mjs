// Verifies an encoder directory with the serving stack (onnxruntime-node + @huggingface/tokenizers):
//   - sha256 of every file listed in config.json
//   - tokenizer.json loads; sample texts tokenize with [CLS] ... [SEP]
//   - model.onnx and model.int8.onnx run; output last_hidden_state [batch, seq, dim]
//   - cosine of masked-mean pooled vectors fp32 vs int8, on sample texts
//   - fp32 ONNX vs the torch reference written at export (when --reference FILE is given)
//   - padding invariance: a padded batch gives the same pooled vectors as one-by-one runs
//   - with --corpus FILE: fp32 vs int8 pooled cosine on --n (200) validation rows of the text corpus
// Usage: node training/encoder/verify.mjs DIR [--reference FILE] [--json OUT] [--corpus FILE [--n N]]
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import ort from 'onnxruntime-node';

const args = process.argv.slice(2);
const dir = args[0];
const refIdx = args.indexOf('--reference');
const jsonIdx = args.indexOf('--json');
const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const out = { id: cfg.id, dim: cfg.dim, checks: {} };

for (const [f, want] of Object.entries(cfg.files)) {
  const got = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  if (got !== want) throw new Error(`sha256 mismatch for ${f}`);
}
out.checks.sha256 = 'ok';

const tok = new Tokenizer(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), {});
const texts = [
  'The committee met on Tuesday to discuss the budget.',
  'In conclusion, it is important to note that renewable energy plays a crucial role in addressing climate change.',
  "I dunno, the game was ok i guess?? graphics r nice but the story drags...\n\n6/10 would not replay.",
  'Dear Ms. Patel,\nThank you for your email of 12 March. We will send the documents shortly.\nBest regards,\nJohn',
  'We propose a novel method for text classification that leverages transformer encoders. Experiments show gains of 2.3%.',
  'He walked home in the rain. The streets were empty; a dog barked somewhere. "Not again," he muttered.',
];
const enc = texts.map((t) => tok.encode(t));
out.sample_tokens = enc[2].tokens;
const maxLen = cfg.max_length;
const ids = enc.map((e) => e.ids.slice(0, maxLen));

const sessions = {
  fp32: await ort.InferenceSession.create(join(dir, 'model.onnx'), { intraOpNumThreads: 1 }),
  int8: await ort.InferenceSession.create(join(dir, 'model.int8.onnx'), { intraOpNumThreads: 1 }),
};
out.inputs = sessions.fp32.inputNames;
out.outputs = sessions.fp32.outputNames;

async function run(sess, batch) {
  const L = Math.max(...batch.map((b) => b.length));
  const n = batch.length;
  const idData = new BigInt64Array(n * L);
  const maskData = new BigInt64Array(n * L);
  batch.forEach((b, i) => b.forEach((v, j) => { idData[i * L + j] = BigInt(v); maskData[i * L + j] = 1n; }));
  const feeds = {
    input_ids: new ort.Tensor('int64', idData, [n, L]),
    attention_mask: new ort.Tensor('int64', maskData, [n, L]),
  };
  if (sess.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * L), [n, L]);
  const res = await sess.run(feeds);
  const h = res.last_hidden_state;
  const D = h.dims[2];
  if (D !== cfg.dim) throw new Error(`dim ${D} != config ${cfg.dim}`);
  const pooled = batch.map((b, i) => {
    const v = new Float64Array(D);
    for (let j = 0; j < b.length; j++) for (let d = 0; d < D; d++) v[d] += h.data[(i * L + j) * D + d];
    let norm = 0;
    for (let d = 0; d < D; d++) { v[d] /= b.length; norm += v[d] * v[d]; }
    norm = Math.sqrt(norm) || 1;
    return Array.from(v, (x) => x / norm);
  });
  return { pooled, hidden: h };
}
const cos = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);

const fp = await run(sessions.fp32, ids);
const q8 = await run(sessions.int8, ids);
const cosines = fp.pooled.map((v, i) => cos(v, q8.pooled[i]));
out.checks.fp32_vs_int8_cosine = { min: Math.min(...cosines), mean: cosines.reduce((a, b) => a + b, 0) / cosines.length };
// distinct texts should not collapse onto one vector
const cross = [];
for (let i = 0; i < fp.pooled.length; i++) for (let j = i + 1; j < fp.pooled.length; j++) cross.push(cos(fp.pooled[i], fp.pooled[j]));
out.checks.fp32_cross_text_cosine = { min: Math.min(...cross), max: Math.max(...cross) };

// padding invariance: batch vs one by one
let worst = 0;
for (let i = 0; i < ids.length; i++) {
  const one = await run(sessions.fp32, [ids[i]]);
  worst = Math.max(worst, 1 - cos(one.pooled[0], fp.pooled[i]));
}
out.checks.batch_vs_single_max_1_minus_cos = worst;

if (refIdx >= 0) {
  const ref = JSON.parse(readFileSync(args[refIdx + 1], 'utf8'));
  const r = await run(sessions.fp32, ref.input_ids);
  let maxAbs = 0;
  const flat = r.hidden.data;
  for (let i = 0; i < ref.last_hidden_state_flat.length; i++) maxAbs = Math.max(maxAbs, Math.abs(flat[i] - ref.last_hidden_state_flat[i]));
  const rc = r.pooled.map((v, i) => cos(v, ref.pooled[i]));
  out.checks.onnx_fp32_vs_torch = { max_abs_diff: maxAbs, min_pooled_cosine: Math.min(...rc) };
}
const corpusIdx = args.indexOf('--corpus');
if (corpusIdx >= 0) {
  // fp32 vs int8 on real validation text (first window of each row; never test rows)
  const n = Number(args[args.indexOf('--n') + 1] ?? 200) || 200;
  const lines = readFileSync(args[corpusIdx + 1], 'utf8').split('\n');
  const texts2 = [];
  for (const l of lines) {
    if (!l.trim()) continue;
    const r = JSON.parse(l);
    if (r.split === 'validation' && !r.eval_only) texts2.push(r.text);
  }
  const step = Math.max(1, Math.floor(texts2.length / n));
  const cs = [];
  for (let i = 0; i < texts2.length && cs.length < n; i += step) {
    const e = tok.encode(texts2[i]).ids;
    const w = e.length > maxLen ? [...e.slice(0, maxLen - 1), e[e.length - 1]] : e;
    const a = await run(sessions.fp32, [w]);
    const b = await run(sessions.int8, [w]);
    cs.push(cos(a.pooled[0], b.pooled[0]));
  }
  cs.sort((x, y) => x - y);
  out.checks.fp32_vs_int8_validation_text = { n: cs.length, min: cs[0], p01: cs[Math.floor(cs.length * 0.01)], mean: cs.reduce((x, y) => x + y, 0) / cs.length };
}
console.log(JSON.stringify(out, null, 2));
if (jsonIdx >= 0) writeFileSync(args[jsonIdx + 1], JSON.stringify(out, null, 2));
if (out.checks.fp32_vs_int8_cosine.min < 0.9) { console.error('int8 disagrees with fp32'); process.exit(1); }
if (out.checks.onnx_fp32_vs_torch && out.checks.onnx_fp32_vs_torch.max_abs_diff > 1e-3) { console.error('onnx != torch'); process.exit(1); }
