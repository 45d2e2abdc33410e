// End-to-end check of an exported USE-lite encoder directory through the service's own code (src/encoder:
// tokenizer.json via @huggingface/tokenizers, windows, onnxruntime-node, masked mean + L2 norm):
//   - the service embedding of each reference text vs the TF.js embedding written by reference.mjs (for the
//     frozen export they must agree wherever the text fits one window: <= max_length tokens);
//   - ms per full window (max_length tokens) at batch 1, fp32 and int8, 1 intra-op thread.
// Usage: npx tsx training/encoder/use_lite/service_check.ts DIR TFJS_REFERENCE.json [--json OUT]
import { readFileSync, writeFileSync } from 'node:fs';
import { createEmbedder } from '../../../src/encoder/index.js';

const [dir, refPath] = process.argv.slice(2);
const jsonIdx = process.argv.indexOf('--json');
const ref = JSON.parse(readFileSync(refPath, 'utf8')) as { texts: string[]; embeddings: number[][]; use_ids: number[][] };
const out: Record<string, unknown> = { dir };
for (const precision of ['fp32', 'int8'] as const) {
  const e = await createEmbedder({ dir, precision, device: 'cpu', intraOpThreads: 1 });
  const cos: number[] = [];
  const oneWindow: boolean[] = [];
  const idsSame: boolean[] = [];
  for (let i = 0; i < ref.texts.length; i++) {
    const got = await e.embed(ref.texts[i]);
    const want = ref.embeddings[i];
    let dot = 0;
    let nw = 0;
    for (let d = 0; d < want.length; d++) {
      dot += got.vector[d] * want[d];
      nw += want[d] * want[d];
    }
    cos.push(dot / Math.sqrt(nw));
    const w0 = Array.from(e.prepare(ref.texts[i]).windows[0].ids);
    const sameIds = got.windows.length === 1 && w0.length === ref.use_ids[i].length && w0.every((x, j) => x === ref.use_ids[i][j]);
    oneWindow.push(got.windows.length === 1);
    idsSame.push(sameIds);
  }
  const fit = cos.filter((_, i) => oneWindow[i]);
  const exact = cos.filter((_, i) => idsSame[i]);
  // timing: one full window (max_length tokens), batch 1
  const long = 'The quick brown fox jumps over the lazy dog again and again. '.repeat(40);
  let lo = 1;
  let hi = long.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (e.prepare(long.slice(0, mid)).tokens <= e.info.maxLength) lo = mid;
    else hi = mid - 1;
  }
  const text = long.slice(0, lo);
  const prepOne = e.prepare(text);
  await e.embed(text);
  const n = 30;
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await e.embed(text);
  const perText = (performance.now() - t0) / n;
  out[precision] = {
    dim: e.info.dim,
    max_length: e.info.maxLength,
    vs_tfjs_cosine_single_window_texts: { n: fit.length, min: Math.min(...fit), mean: fit.reduce((a, b) => a + b, 0) / fit.length },
    vs_tfjs_cosine_same_ids_single_window: { n: exact.length, min: Math.min(...exact) },
    vs_tfjs_cosine_all_texts: { n: cos.length, min: Math.min(...cos) },
    per_text_cosine: cos.map((c) => Number(c.toFixed(6))),
    ms_per_full_window_batch1: Number(perText.toFixed(2)),
    timed_window: { tokens: prepOne.tokens, windows: prepOne.windows.length },
  };
  await e.close();
}
console.log(JSON.stringify(out, null, 1));
if (jsonIdx >= 0) writeFileSync(process.argv[jsonIdx + 1], JSON.stringify(out, null, 1));
