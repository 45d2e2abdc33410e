// Counts the pre-tokenized word forms of the train split, with the SAME normalizer and pre-tokenizer the
// service runs (@huggingface/tokenizers 0.2.0), so the vocabulary matches what serving will look up.
// Only split=train rows (never validation/test, never gede or eval-only rows) are counted.
// Usage: node training/encoder/glove/pretokenize.mjs SKELETON_TOKENIZER.json CORPUS.jsonl OUT.tsv
//   OUT.tsv: "count\tword" lines, most frequent first (words never contain tabs or newlines: whitespace
//   is split away and "\n"/"\t" are normalized to one-character marks).
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Tokenizer } from '@huggingface/tokenizers';

const [tokPath, corpusPath, outPath] = process.argv.slice(2);
const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), {});
const counts = new Map();
let rows = 0;
let words = 0;
const rl = createInterface({ input: createReadStream(corpusPath, 'utf8'), crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const row = JSON.parse(line);
  if (row.split !== 'train' || row.eval_only || row.source === 'gede') continue;
  rows++;
  const norm = tok.normalizer ? tok.normalizer(row.text ?? '') : row.text ?? '';
  for (const w of tok.pre_tokenizer(norm, { section_index: 0 })) {
    counts.set(w, (counts.get(w) ?? 0) + 1);
    words++;
  }
}
const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
writeFileSync(outPath, sorted.map(([w, c]) => `${c}\t${w}`).join('\n') + '\n');
console.error(`pretokenize: ${rows} train rows, ${words} words, ${sorted.length} distinct forms -> ${outPath}`);
