// Tokenizes a corpus JSONL with the SAME library the service uses (@huggingface/tokenizers), so training and
// serving see identical token ids. Writes, for row i of the corpus (in file order):
//   OUT.ids.bin      int32 little-endian token ids of all rows concatenated (no [CLS]/[SEP])
//   OUT.offsets.bin  int64 little-endian, rows+1 entries: row i is ids[offsets[i] : offsets[i+1]]
//   OUT.meta.json    { rows, tokens, tokenizer_sha256, corpus }
// Rows outside the train and validation splits are written with zero tokens: test rows and evaluation-only sets
// are never even tokenized for training.
// Usage: node training/encoder/tokenize.mjs TOKENIZER.json CORPUS.jsonl OUT_PREFIX
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Tokenizer } from '@huggingface/tokenizers';

const [tokPath, corpusPath, outPrefix] = process.argv.slice(2);
const splits = new Set(['train', 'validation']);
const tokJson = readFileSync(tokPath);
const tok = new Tokenizer(JSON.parse(tokJson.toString('utf8')), {});

let ids = new Int32Array(1 << 22);
let n = 0;
const offsets = [0n];
const rl = createInterface({ input: createReadStream(corpusPath, 'utf8'), crlfDelay: Infinity });
const t0 = Date.now();
for await (const line of rl) {
  if (!line.trim()) continue;
  const row = JSON.parse(line);
  const keep = splits.has(row.split) && !row.eval_only && row.source !== 'gede';
  const enc = keep ? tok.encode(row.text ?? '', { add_special_tokens: false }) : { ids: [] };
  const e = enc.ids;
  if (n + e.length > ids.length) {
    const bigger = new Int32Array(Math.max(ids.length * 2, n + e.length));
    bigger.set(ids.subarray(0, n));
    ids = bigger;
  }
  for (let i = 0; i < e.length; i++) ids[n + i] = e[i];
  n += e.length;
  offsets.push(BigInt(n));
  if (offsets.length % 5000 === 0) console.error(`tokenize: ${offsets.length - 1} rows, ${n} tokens, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
writeFileSync(`${outPrefix}.ids.bin`, Buffer.from(ids.buffer, 0, n * 4));
writeFileSync(`${outPrefix}.offsets.bin`, Buffer.from(BigInt64Array.from(offsets).buffer));
const meta = {
  rows: offsets.length - 1,
  tokens: n,
  tokenizer_sha256: createHash('sha256').update(tokJson).digest('hex'),
  corpus: corpusPath,
  splits: [...splits],
};
writeFileSync(`${outPrefix}.meta.json`, JSON.stringify(meta));
console.error(`tokenize: done, ${meta.rows} rows, ${n} tokens in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
