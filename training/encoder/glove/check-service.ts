// Loads an encoder directory through the service's own createEmbedder (sha256 checks, tokenizer, windows,
// batching) and prints what it sees; also times one full 256-token window at batch 1 through the raw
// onnxruntime-node session, fp32 and int8.
// Usage: node --import tsx training/encoder/glove/check-service.ts [DIR]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { createEmbedder } from '../../../src/encoder/index.js';

const dir = process.argv[2] ?? 'training/.cache/encoders/glove';
const out: Record<string, unknown> = { dir };
const long = readFileSync('training/encoder/README.md', 'utf8');
for (const precision of ['fp32', 'int8'] as const) {
  const e = await createEmbedder({ dir, precision, device: 'cpu', intraOpThreads: 1 });
  const a = await e.embed('Hello world. This is a test.');
  const b = await e.embed(long);
  const p = e.prepare("Dear Ms. Patel,\nThank you — it’s done. Don't worry!");
  const [x, y] = await e.embedMany(['Hello world. This is a test.', long]);
  let d = 0;
  for (let i = 0; i < a.vector.length; i++) d = Math.max(d, Math.abs(a.vector[i] - x.vector[i]), Math.abs(b.vector[i] - y.vector[i]));
  out[precision] = {
    dim: a.vector.length,
    short: { tokens: a.tokens, windows: a.windows.length },
    long: { chars: long.length, tokens: b.tokens, windows: b.windows.length },
    sample_window_ids: Array.from(p.windows[0].ids).join(" "),
    embedMany_vs_embed_max_abs_diff: d,
  };
  await e.close();
}
// speed: one 256-token window, batch 1, raw session, 1 intra-op thread
const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
for (const f of ['model.onnx', 'model.int8.onnx']) {
  const s = await ort.InferenceSession.create(path.join(dir, f), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const L = cfg.max_length;
  const ids = new BigInt64Array(L);
  for (let i = 0; i < L; i++) ids[i] = BigInt(i === 0 ? 2 : i === L - 1 ? 3 : 5 + ((i * 7919) % 40000));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [1, L]), attention_mask: new ort.Tensor('int64', new BigInt64Array(L).fill(1n), [1, L]) };
  for (let i = 0; i < 3; i++) await s.run(feeds);
  const n = 20;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await s.run(feeds);
  out[`ms_per_256_window_batch1_${f}`] = Number(process.hrtime.bigint() - t) / 1e6 / n;
  await s.release();
}
console.log(JSON.stringify(out, null, 1));
