/**
 * A fake text embedder (no model files): each text's vector is the first DIM bytes of its sha256,
 * centred and L2-normalised, one window per text; and the vocabularies of synthetic rows ("human"
 * plain, the LLM roles in their own words). Shared by the tests that fit heads on synthetic rows.
 */
import { createHash } from 'node:crypto';
import type { Embedding, TextEmbedder } from '../../src/encoder/types.js';

export const DIM = 4;
export const SHA = 'ab'.repeat(32);

export function vec(text: string): Float32Array {
  const h = createHash('sha256').update(text).digest();
  const v = Float32Array.from({ length: DIM }, (_, i) => h[i] / 255 - 0.5);
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

/** the fake embedder; `calls` counts its embed calls */
export function fakeEmbedder(sha = SHA, id = 'fake-encoder'): TextEmbedder & { calls: number } {
  const e = {
    calls: 0,
    info: { id, version: '1', dim: DIM, maxLength: 64, precision: 'int8' as const, device: 'cpu' as const, sha256: sha },
    async embed(text: string): Promise<Embedding> {
      e.calls++;
      const tokens = Math.max(1, Math.ceil(text.length / 4));
      return { vector: vec(text), tokens, windows: [{ start: 0, end: text.length, tokens, vector: vec(text) }] };
    },
    async embedMany(texts: string[]): Promise<Embedding[]> {
      return Promise.all(texts.map((x) => e.embed(x)));
    },
    stats: () => ({ queued: 0, running: 0, batches: 0 }),
    async close() {},
  };
  return e;
}

/** synthetic rows' words, by role index: "human" texts are plain, the LLM roles use different vocabularies */
export const SYNTHETIC_VOCAB = [
  'i went home and my dog was there lol so we just sat around',
  'moreover it is important to note that the comprehensive framework delves into crucial aspects',
  'the study furthermore demonstrates notable improvements while additionally highlighting key insights',
  'in conclusion this pivotal landscape underscores the multifaceted nature of the realm',
];
