/**
 * npm run bench (its last step) -> the likelihood block of bench/RESULTS.md: what the opt-in likelihood model
 * (models/likelihood) costs per text on this CPU, next to the encoder's pass over the same text.
 *
 *   npx tsx bench/likelihood.ts [--fp32 FILE] [--runs N] [--out FILE]
 *
 * --fp32 FILE: the fp32 graph training/likelihood/export.py writes (0.65 GB, never committed); measured when
 * given and its sha256 matches models/likelihood/config.json, else that row says "not run". Benchmarks are
 * not tests: nothing here asserts a time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { createEmbedder } from '../src/encoder/index.js';
import { sha256 } from '../src/encoder/model-dir.js';
import { LIKELIHOOD_ONNX, LikelihoodModel } from '../src/likelihood/index.js';
import { f0, f2, quantile, ROOT, sampleText } from './lib.js';

const { values: args } = parseArgs({
  options: {
    fp32: { type: 'string', default: process.env.LIKELIHOOD_FP32 },
    runs: { type: 'string', default: '6' },
    out: { type: 'string', default: path.join(ROOT, 'bench/RESULTS.md') },
  },
});
const START = '<!-- likelihood:start -->';
const END = '<!-- likelihood:end -->';
const dir = path.join(ROOT, 'models/likelihood');
const runs = Number(args.runs);
const log = (m: string) => console.error(`[bench likelihood] ${m}`);
const started = new Date();
const load0 = os.loadavg();

async function timeEach(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

const rows: string[] = [];
const row = (what: string, tokens: number | string, ms: number[] | null, note = '') =>
  rows.push(`| ${what} | ${tokens} | ${ms ? f0(quantile(ms, 0.5)) : 'not run'} | ${ms ? f2(1000 / quantile(ms, 0.5)) : '–'} | ${note} |`);

const texts = [500, 100].map((w) => ({ words: w, text: sampleText(w, 7) }));
const lmCut = await LikelihoodModel.load({ dir, maxTokens: 256 });
const lmAll = await LikelihoodModel.load({ dir, maxTokens: 100_000, warmup: false });
for (const { words, text } of texts) {
  const cut = lmCut.tokenize(text).length;
  const all = lmAll.tokenize(text).length;
  row(`int4 (shipped), ${words} words, first 256 tokens (LIKELIHOOD_MAX_TOKENS default)`, cut, await timeEach(runs, () => lmCut.score(text)), 'score(): tokenize + inference');
  if (all > cut) row(`int4 (shipped), ${words} words, whole text (${Math.ceil(all / 511)} windows)`, all, await timeEach(runs, () => lmAll.score(text)));
}
await lmAll.close();

// fp32 against int4 on the same window: session.run only
const cfg = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { fp32?: { sha256?: string } };
const window = [0, ...lmCut.tokenize(texts[0].text).slice(0, 511)];
const feeds = () => ({
  input_ids: new ort.Tensor('int64', BigInt64Array.from(window, (v) => BigInt(v)), [1, window.length]),
  attention_mask: new ort.Tensor('int64', new BigInt64Array(window.length).fill(1n), [1, window.length]),
});
const opts: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all', executionMode: 'sequential', interOpNumThreads: 1, extra: { session: { intra_op: { allow_spinning: '0' } } } };
const int4 = await ort.InferenceSession.create(path.join(dir, LIKELIHOOD_ONNX), opts);
row('int4 graph, session.run only', window.length, await timeEach(runs, () => int4.run(feeds())));
await int4.release();
let fp32Note = 'no --fp32 FILE given (training/likelihood/export.py writes it; 0.65 GB, not committed)';
let fp32Ms: number[] | null = null;
if (args.fp32 && existsSync(args.fp32)) {
  const sum = sha256(readFileSync(args.fp32));
  if (sum !== cfg.fp32?.sha256) fp32Note = `${args.fp32}: sha256 does not match config.json's fp32 entry`;
  else {
    const fp32 = await ort.InferenceSession.create(args.fp32, opts);
    fp32Ms = await timeEach(runs, () => fp32.run(feeds()));
    await fp32.release();
    fp32Note = 'the same weights dequantized (identical answers to 2e-5)';
  }
}
row('fp32 graph, session.run only', window.length, fp32Ms, fp32Note);
await lmCut.close();

// the encoder's pass over the same texts (what the issue compares against), through the embedder as served
const emb = await createEmbedder({ dir: path.join(ROOT, 'models/encoder'), precision: 'fp32', device: 'cpu' });
for (const { words, text } of texts) row(`encoder (shipped, fp32), ${words} words: embed() of the whole text`, emb.prepare(text).tokens, await timeEach(runs, () => emb.embed(text)), 'one of the 7 passes a text gets today');
await emb.close();

const block = [
  START,
  '## 10. Likelihood model (opt-in, LIKELIHOOD=on)',
  '',
  `\`npx tsx bench/likelihood.ts${args.fp32 ? ' --fp32 FILE' : ''}\` (the last step of \`npm run bench\`) on ${started.toISOString()}, ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s; ` +
    `load average ${load0.map((x) => x.toFixed(2)).join(' / ')} at the start, ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end. Median of ${runs} runs after one warm-up, ` +
    'onnxruntime CPU provider with its default threads (2 here), one text at a time. Texts are bench/lib.ts sampleText (seed 7).',
  '',
  '| what | tokens | ms per text (median) | texts/s | note |',
  '|---|---:|---:|---:|---|',
  ...rows,
  '',
  END,
].join('\n');
const prev = existsSync(args.out!) ? readFileSync(args.out!, 'utf8') : '# Benchmarks\n\n';
const a = prev.indexOf(START);
const b = prev.indexOf(END);
writeFileSync(args.out!, a >= 0 && b > a ? prev.slice(0, a) + block + prev.slice(b + END.length) : `${prev.trimEnd()}\n\n${block}\n`);
log(`wrote the likelihood block of ${path.relative(ROOT, args.out!)}`);
