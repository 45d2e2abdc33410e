/**
 * Loads an encoder directory through the service's own code (src/encoder: sha256 check, tokenizer, ONNX session,
 * windowing, pooling) and embeds a few texts: the proof that a converted directory serves.
 *
 *   npx tsx training/encoder/pretrained/load-check.ts DIR [--precision fp32|int8]
 *
 * Prints the encoder info, tokens/windows of a short and a long (windowed) text, cosine of related vs unrelated
 * sentences, and fp32-vs-int8 cosine of the long text's pooled vector. Exit code 1 when a check fails.
 */
import path from 'node:path';
import { createEmbedder } from '../../../src/encoder/index.js';

const dir = path.resolve(process.argv[2] ?? 'models/encoder');
const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
const threads = Number(process.env.TEXT_THREADS ?? 2);
const fp32 = await createEmbedder({ dir, precision: 'fp32', device: 'cpu', intraOpThreads: threads });
const int8 = await createEmbedder({ dir, precision: 'int8', device: 'cpu', intraOpThreads: threads });
const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: the committee reviewed the budget and asked for a revised plan before the next meeting.`).join('\n');
const texts = [
  'A man is playing a guitar on stage.',
  'Someone performs music with a guitar.',
  'The stock market fell sharply today.',
  long,
];
const p = fp32.prepare(long);
const e = await fp32.embedMany(texts);
const q = await int8.embedMany(texts);
const related = cos(e[0].vector, e[1].vector);
const unrelated = cos(e[0].vector, e[2].vector);
const out = {
  info: fp32.info,
  inputs: fp32.runtime.inputs,
  short_tokens: e[0].tokens,
  long_tokens: p.tokens,
  long_windows: p.windows.length,
  related_cosine: +related.toFixed(4),
  unrelated_cosine: +unrelated.toFixed(4),
  fp32_vs_int8_cosine: e.map((x, i) => +cos(x.vector, q[i].vector).toFixed(5)),
};
console.log(JSON.stringify(out, null, 1));
await fp32.close();
await int8.close();
const ok = p.windows.length > 1 && related > unrelated && e.every((x) => x.vector.length === fp32.info.dim);
if (!ok) {
  console.error('load-check: FAILED (long text not windowed, or related <= unrelated, or wrong dimension)');
  process.exit(1);
}
