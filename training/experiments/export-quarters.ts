/**
 * Embeds each text of the evaluation sample by quarters (whitespace words, as textHalves cuts halves) for
 * the `DRO_EXTRA` input of dro_loso.py: does a finer change of voice than the halves' difference carry
 * the extender role (a human start continued by an LLM) to an unseen set?
 *   training/.cache/exp/quarters.jsonl   {id, q: [4 x 256 pooled embeddings of the quarters]}
 * Usage: npx tsx training/experiments/export-sample.ts && npx tsx training/experiments/export-quarters.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedEmbeddings } from '../datasets/text-pipeline.js';
import { normalizeForHeads, textParts } from '../../src/heads/segments.js';
import { openEmbedder } from '../train-text.js';

const dir = path.resolve('training/.cache/exp');
const rows = readFileSync(path.join(dir, 'sample.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });
const enc = await openEmbedder(path.resolve('models/encoder'), 'fp32');
const parts = rows.map((r) => textParts(normalizeForHeads(r.text), 4));
const q: Float32Array[][] = [];
for (let k = 0; k < 4; k++) q.push(await cachedEmbeddings(parts.map((p) => p[k]), enc.embedder!, console.log));
await enc.embedder?.close();
writeFileSync(path.join(dir, 'quarters.jsonl'), rows.map((r, i) => JSON.stringify({ id: r.id, q: q.map((e) => Array.from(e[i], (v) => Math.round(v * 1e5) / 1e5)) })).join('\n') + '\n');
console.log(`wrote quarters for ${rows.length} rows`);
