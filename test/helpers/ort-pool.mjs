// Runs an ONNX encoder on token windows with onnxruntime-node and returns mean-pooled, L2-normalised
// vectors: each window alone (batch 1) and all windows in one padded batch. Plain JavaScript with no
// project imports, so that test/encoder/int8-cpus.test.ts can run it under an emulated CPU
// (qemu-x86_64 -cpu Haswell: AVX2, no AVX-512, no VNNI) as well as natively.
//   node test/helpers/ort-pool.mjs MODEL.onnx WINDOWS.json   (WINDOWS.json: [[token ids], ...]) -> JSON on stdout
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

async function run(session, windows) {
  const seq = Math.max(...windows.map((w) => w.length));
  const n = windows.length;
  const ids = new BigInt64Array(n * seq);
  const mask = new BigInt64Array(n * seq);
  windows.forEach((w, r) => w.forEach((id, t) => ((ids[r * seq + t] = BigInt(id)), (mask[r * seq + t] = 1n))));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [n, seq]), attention_mask: new ort.Tensor('int64', mask, [n, seq]) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n * seq), [n, seq]);
  const out = (await session.run(feeds)).last_hidden_state;
  const dim = out.dims[2];
  return windows.map((w, r) => {
    const v = new Float64Array(dim);
    for (let t = 0; t < w.length; t++) for (let j = 0; j < dim; j++) v[j] += out.data[(r * seq + t) * dim + j];
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
    return Array.from(v, (x) => x / norm);
  });
}

export async function pool(model, windows) {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
  const single = [];
  for (const w of windows) single.push((await run(session, [w]))[0]);
  const batched = await run(session, windows);
  await session.release();
  return { single, batched };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [model, file] = process.argv.slice(2);
  process.stdout.write(JSON.stringify(await pool(model, JSON.parse(readFileSync(file, 'utf8')))));
}
