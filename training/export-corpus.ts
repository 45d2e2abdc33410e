/**
 * `npm run data:export`: writes training/.cache/text-corpus.jsonl, one JSON object per line:
 * {id, text, source, domain, group, split, role, llm, pr, subset, lang, generator, mined, eval_only}.
 * role null = LLM-involved, role unknown. gede rows (evaluation only) carry split "test" and
 * eval_only true and never appear in train/validation. Split rule: see training/datasets/text.ts.
 * DATA_DIR overrides ../shared/data.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadTextCorpus, toExportRecord } from './datasets/text.js';

const out = resolve('training/.cache/text-corpus.jsonl');
const t0 = Date.now();
// every set with its mined rows and gede, English only
const rows = loadTextCorpus();
mkdirSync(dirname(out), { recursive: true });
const ws = createWriteStream(out);
const counts = new Map<string, number>();
for (const r of rows) {
  ws.write(JSON.stringify(toExportRecord(r)) + '\n');
  const k = `${r.source}\t${r.split}\t${r.role ?? 'llm(unknown)'}${r.mined ? ' [mined]' : ''}`;
  counts.set(k, (counts.get(k) ?? 0) + 1);
}
await new Promise<void>((res, rej) => ws.end((e?: Error | null) => (e ? rej(e) : res())));
console.log(`wrote ${rows.length} rows to ${out} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
for (const [k, n] of [...counts.entries()].sort()) console.log(`${k}\t${n}`);
