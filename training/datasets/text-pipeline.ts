/**
 * Training / evaluation pipeline pieces for the text heads: a deterministic, role- and
 * source-balanced sample of the corpus, cached features and embeddings, and the sample weights.
 * Training only; the server never imports this file.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ROLES, type Role } from '../../src/roles.js';
import type { TextEmbedder } from '../../src/encoder/types.js';
import { extractTextFeatures, TEXT_FEATURE_VERSION, TEXT_FEATURES } from '../../src/features/text.js';
import type { Split, TextRow } from './text-common.js';
import { embeddingSpan, headSpans, normalizeForHeads, textHalves, textParts } from '../../src/heads/segments.js';
import { assembleInputs, inputNamesFor, type TextHeads } from '../../src/heads/text-heads.js';
import { lexiconVector, type LexiconJSON } from '../../src/heads/lexicon.js';
import { hasWiderRows, WIDER_SOURCE_IDS } from './wider/ids.js';
import { spreadOverCells } from './wider/balance.js';

export const CACHE_DIR = 'training/.cache';

export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** deterministic pseudo-random number in [0, 1) from a string */
export function hashUnit(s: string, salt = 'sample-v1'): number {
  return parseInt(createHash('sha256').update(`${salt}:${s}`).digest('hex').slice(0, 8), 16) / 0x100000000;
}

export interface SampleCaps {
  train: number;
  validation: number;
  test: number;
  /** gede (evaluation only): per subset */
  evalPerSubset: number;
  /** texts shorter than this many characters are left out of training (kept for evaluation) */
  minTrainChars: number;
}

export const DEFAULT_CAPS: SampleCaps = { train: 600, validation: 220, test: 220, evalPerSubset: 120, minTrainChars: 40 };

/** stratum of a row for caps and weights: source x role (x mined) */
export function stratum(r: TextRow): string {
  return `${r.source}|${r.role ?? 'llm?'}|${r.mined ?? ''}`;
}

/**
 * Deterministic sample: within each (split, stratum) keep the rows with the smallest hashUnit(id),
 * at most the split's cap. English only. gede: all human essays, `evalPerSubset` of each LLM subset.
 * With rows of the wider sets (issue 45) in `rows`: a stratum's cap is spread evenly over its
 * generator x domain cells (spreadOverCells), and an evaluation-only wider set (ellipse) is capped per
 * subset like gede's LLM subsets; without them, the sample is what it always was.
 */
export function sampleRows(rows: TextRow[], caps: SampleCaps = DEFAULT_CAPS): TextRow[] {
  const wider = hasWiderRows(rows);
  const buckets = new Map<string, TextRow[]>();
  for (const r of rows) {
    if (r.lang !== 'en') continue;
    let key: string;
    if (r.evalOnly) key = r.role === 'human_author' && !WIDER_SOURCE_IDS.has(r.source) ? `eval|human|${r.id}` : `eval|${r.subset}`;
    else {
      if (r.split === 'train' && r.text.length < caps.minTrainChars) continue;
      key = `${r.split}|${stratum(r)}`;
    }
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = []));
    b.push(r);
  }
  const out: TextRow[] = [];
  for (const [key, b] of buckets) {
    const cap = key.startsWith('eval|human') ? 1 : key.startsWith('eval|') ? caps.evalPerSubset : caps[key.split('|')[0] as Split];
    b.sort((x, y) => hashUnit(x.id) - hashUnit(y.id));
    out.push(...(wider ? spreadOverCells(b, cap) : b.slice(0, cap)));
  }
  out.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return out;
}

/**
 * Sample weights for training rows: every role carries the same total weight (rows of unknown LLM
 * role together carry `unknownShare` of a role's weight); inside a role every source carries the same
 * weight, and inside a source every domain the same weight. Mean weight 1. With rows of the wider sets
 * (issue 45): inside a source every generator the same weight, and inside a generator every domain.
 */
export function balancedWeights(rows: TextRow[], unknownShare = 0.5): Float64Array {
  const roleOf = (r: TextRow) => r.role ?? 'unknown';
  // without the wider sets every row has the same (empty) generator level: the weights of before
  const genOf = hasWiderRows(rows) ? (r: TextRow) => r.generator ?? 'unknown' : () => '';
  const nSrc = new Map<string, Set<string>>();
  const nGen = new Map<string, Set<string>>();
  const nDom = new Map<string, Set<string>>();
  const nCell = new Map<string, number>();
  const count = (m: Map<string, Set<string>>, k: string, v: string) => {
    if (!m.has(k)) m.set(k, new Set());
    m.get(k)!.add(v);
  };
  for (const r of rows) {
    const role = roleOf(r);
    count(nSrc, role, r.source);
    const rs = `${role}|${r.source}`;
    count(nGen, rs, genOf(r));
    const rsg = `${rs}|${genOf(r)}`;
    count(nDom, rsg, r.domain);
    const cell = `${rsg}|${r.domain}`;
    nCell.set(cell, (nCell.get(cell) ?? 0) + 1);
  }
  const w = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const role = roleOf(r);
    const rs = `${role}|${r.source}`;
    const rsg = `${rs}|${genOf(r)}`;
    const share = role === 'unknown' ? unknownShare : 1;
    w[i] = share / nSrc.get(role)!.size / nGen.get(rs)!.size / nDom.get(rsg)!.size / nCell.get(`${rsg}|${r.domain}`)!;
  });
  let s = 0;
  for (const v of w) s += v;
  const k = rows.length / s;
  for (let i = 0; i < w.length; i++) w[i] *= k;
  return w;
}

/** allowed-class bitmask over ROLES: one bit for a known role, every LLM role for role null */
export function roleMask(r: TextRow): number {
  if (r.role) return 1 << ROLES.indexOf(r.role);
  let m = 0;
  for (const role of ROLES) if (role !== 'human_author') m |= 1 << ROLES.indexOf(role);
  return m;
}

export function roleIndex(role: Role): number {
  return ROLES.indexOf(role);
}

// ---------------------------------------------------------------------------------------------
// caches (append-only JSON lines keyed by sha1 of the text)

/** The cache's lines as a Map; read as bytes and split line by line, since a cache of span embeddings passes
 * V8's longest string (512 MiB) once it holds about 20,000 texts. */
export function loadCache(file: string): Map<string, string> {
  const m = new Map<string, string>();
  if (!existsSync(file)) return m;
  const buf = readFileSync(file);
  for (let start = 0; start < buf.length; ) {
    let end = buf.indexOf(0x0a, start);
    if (end < 0) end = buf.length;
    const tab = buf.indexOf(0x09, start);
    if (tab > start && tab < end) m.set(buf.toString('utf8', start, tab), buf.toString('utf8', tab + 1, end));
    start = end + 1;
  }
  return m;
}

function f32ToB64(v: ArrayLike<number>): string {
  return Buffer.from(Float32Array.from(v).buffer).toString('base64');
}

function b64ToF32(s: string): Float32Array {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export function featureCacheFile(): string {
  return `${CACHE_DIR}/features-${TEXT_FEATURE_VERSION.replace(/[^A-Za-z0-9.-]+/g, '_')}-${TEXT_FEATURES.length}.tsv`;
}

/** Features of each text (Float64Array per text), computed once per feature version. */
export function cachedFeatures(texts: string[], log?: (s: string) => void): Float64Array[] {
  const file = featureCacheFile();
  mkdirSync(dirname(file), { recursive: true });
  const cache = loadCache(file);
  const out: Float64Array[] = new Array(texts.length);
  let computed = 0;
  const t0 = Date.now();
  let buf = '';
  texts.forEach((t, i) => {
    const h = textHash(t);
    const hit = cache.get(h);
    if (hit) {
      out[i] = Float64Array.from(JSON.parse(hit) as number[]);
      return;
    }
    const f = extractTextFeatures(t);
    out[i] = f;
    const line = JSON.stringify(Array.from(f));
    cache.set(h, line);
    buf += `${h}\t${line}\n`;
    computed++;
    if (computed % 1000 === 0) {
      appendFileSync(file, buf);
      buf = '';
      log?.(`features: ${computed} computed (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  });
  if (buf) appendFileSync(file, buf);
  if (computed) log?.(`features: ${computed} computed, ${texts.length - computed} cached`);
  return out;
}

export function embeddingCacheFile(encoderSha: string): string {
  return `${CACHE_DIR}/embeddings-${encoderSha.slice(0, 16)}.tsv`;
}

/**
 * One float32 vector per text, cached in `file` by text hash (append-only, resumable): `compute` runs on
 * the texts not yet cached, `batch` at a time.
 */
async function cachedVectors(
  file: string,
  texts: string[],
  compute: (batch: string[]) => Promise<Float32Array[]>,
  what: string,
  log?: (s: string) => void,
  batch = 32,
): Promise<Float32Array[]> {
  mkdirSync(dirname(file), { recursive: true });
  const cache = loadCache(file);
  const out: Float32Array[] = new Array(texts.length);
  const todo: number[] = [];
  texts.forEach((t, i) => {
    const hit = cache.get(textHash(t));
    if (hit) out[i] = b64ToF32(hit);
    else todo.push(i);
  });
  const t0 = Date.now();
  for (let s = 0; s < todo.length; s += batch) {
    const idx = todo.slice(s, s + batch);
    const vectors = await compute(idx.map((i) => texts[i]));
    let buf = '';
    idx.forEach((i, j) => {
      out[i] = vectors[j];
      const h = textHash(texts[i]);
      const v = f32ToB64(vectors[j]);
      cache.set(h, v);
      buf += `${h}\t${v}\n`;
    });
    appendFileSync(file, buf);
    if ((s / batch) % 20 === 0)
      log?.(`${what}: ${Math.min(s + batch, todo.length)}/${todo.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  if (todo.length) log?.(`${what}: ${todo.length} computed, ${texts.length - todo.length} cached`);
  return out;
}

/** Pooled embeddings of each text, cached per encoder sha256. */
export function cachedEmbeddings(texts: string[], embedder: TextEmbedder, log?: (s: string) => void, batch = 32): Promise<Float32Array[]> {
  const embed = async (b: string[]) => (await embedder.embedMany(b)).map((e) => e.vector);
  return cachedVectors(embeddingCacheFile(embedder.info.sha256), texts, embed, 'embeddings', log, batch);
}

export function spanEmbeddingCacheFile(encoderSha: string): string {
  return `${CACHE_DIR}/span-embeddings-${encoderSha.slice(0, 16)}.tsv`;
}

/**
 * One encoder pass per text (span pooling): the whole text's embedding, its halves' and its quarters'
 * (pools of that pass's token states over headSpans), cached per encoder sha256 as 7 vectors per text.
 */
export async function cachedSpanEmbeddings(
  texts: string[],
  embedder: TextEmbedder,
  log?: (s: string) => void,
  batch = 32,
): Promise<{ whole: Float32Array; halves: Float32Array[]; quarters: Float32Array[] }[]> {
  const embedSpans = embedder.embedSpans?.bind(embedder);
  if (!embedSpans) throw new Error(`encoder ${embedder.info.id} cannot pool spans of one pass (no embedSpans)`);
  const dim = embedder.info.dim;
  const onePass = (b: string[]) =>
    Promise.all(
      b.map(async (t) => {
        const r = await embedSpans(t, headSpans(t));
        const all = new Float32Array(7 * dim);
        all.set(r.embedding.vector, 0);
        r.spans.forEach((v, k) => all.set(v, (k + 1) * dim));
        return all;
      }),
    );
  const packed = await cachedVectors(spanEmbeddingCacheFile(embedder.info.sha256), texts, onePass, 'span embeddings', log, batch);
  return packed.map((v) => {
    const at = (k: number) => v.slice(k * dim, (k + 1) * dim);
    return { whole: at(0), halves: [at(1), at(2)], quarters: [at(3), at(4), at(5), at(6)] };
  });
}

// ---------------------------------------------------------------------------------------------
// one call for training and evaluation: sample + features + (optional) embeddings

export interface PreparedData {
  rows: TextRow[];
  X: Float64Array[];
  inputs: string[];
  embeddingDim: number;
  contrast: boolean;
  contrastEmbedding: boolean;
  quarterEmbedding: boolean;
  spanPooling: boolean;
  lexicon: LexiconJSON | null;
  encoder: { id: string; version: string; dim: number; files: Record<string, string>; trained_with: string } | null;
}

export interface PrepareOptions {
  rows: TextRow[];
  /** the encoder, or null for features-only heads */
  embedder: TextEmbedder | null;
  encoderFiles?: Record<string, string>;
  encoderVersion?: string;
  /** add (second half - first half) inputs (default true) */
  contrast?: boolean;
  /** the halves' difference of the embedding too (default false: two more encoder passes per text) */
  contrastEmbedding?: boolean;
  /** the first quarter's embedding minus the other quarters' mean too (default false: four more encoder passes of a quarter each) */
  quarterEmbedding?: boolean;
  /** the halves' and quarters' embeddings from the token states of the text's one pass (default false: passes of their own) */
  spanPooling?: boolean;
  /** embed only the first this many words of each text (0 = all) */
  embeddingMaxWords?: number;
  /** marker words whose rates are appended (built on the train split by buildLexicon) */
  lexicon?: LexiconJSON | null;
  log?: (s: string) => void;
}

/** The input options that reproduce the inputs `heads` were trained on (their marker words, halves, embedding span). */
export function headsInputOptions(heads: TextHeads): Pick<PrepareOptions, 'lexicon' | 'contrast' | 'contrastEmbedding' | 'quarterEmbedding' | 'spanPooling' | 'embeddingMaxWords'> {
  return {
    lexicon: heads.lexicon,
    contrast: heads.config.contrast ?? false,
    contrastEmbedding: heads.config.contrast_embedding ?? false,
    quarterEmbedding: heads.config.quarter_embedding ?? false,
    spanPooling: heads.config.span_pooling ?? false,
    embeddingMaxWords: heads.config.embedding_max_words ?? 0,
  };
}

export async function prepareInputs(opts: PrepareOptions): Promise<PreparedData> {
  const contrast = opts.contrast ?? true;
  const contrastEmbedding = contrast && (opts.contrastEmbedding ?? false);
  const quarterEmbedding = contrast && opts.embedder !== null && (opts.quarterEmbedding ?? false);
  const texts = opts.rows.map((r) => normalizeForHeads(r.text));
  const feats = cachedFeatures(texts, opts.log);
  const halves = contrast ? texts.map((t) => textHalves(t)) : null;
  const fA = halves ? cachedFeatures(halves.map((h) => h[0]), opts.log) : null;
  const fB = halves ? cachedFeatures(halves.map((h) => h[1]), opts.log) : null;
  let embs: Float32Array[] | null = null;
  let eA: Float32Array[] | null = null;
  let eB: Float32Array[] | null = null;
  let eQ: Float32Array[][] | null = null;
  let dim = 0;
  const spanPooling = opts.embedder !== null && (contrastEmbedding || quarterEmbedding) && (opts.spanPooling ?? false);
  if (opts.embedder && spanPooling) {
    const pooled = await cachedSpanEmbeddings(texts.map((t) => embeddingSpan(t, opts.embeddingMaxWords ?? 0)), opts.embedder, opts.log);
    embs = pooled.map((p) => p.whole);
    if (contrastEmbedding) {
      eA = pooled.map((p) => p.halves[0]);
      eB = pooled.map((p) => p.halves[1]);
    }
    if (quarterEmbedding) eQ = [0, 1, 2, 3].map((k) => pooled.map((p) => p.quarters[k]));
    dim = opts.embedder.info.dim;
  } else if (opts.embedder) {
    embs = await cachedEmbeddings(texts.map((t) => embeddingSpan(t, opts.embeddingMaxWords ?? 0)), opts.embedder, opts.log);
    if (halves && contrastEmbedding) {
      eA = await cachedEmbeddings(halves.map((h) => h[0]), opts.embedder, opts.log);
      eB = await cachedEmbeddings(halves.map((h) => h[1]), opts.embedder, opts.log);
    }
    if (quarterEmbedding) {
      const parts = texts.map((t) => textParts(t, 4));
      eQ = [];
      for (let k = 0; k < 4; k++) eQ.push(await cachedEmbeddings(parts.map((p) => p[k]), opts.embedder, opts.log));
    }
    dim = opts.embedder.info.dim;
  }
  const featureNames = TEXT_FEATURES.map((f) => f.name);
  const lex = opts.lexicon ?? null;
  const shape = { features: featureNames, embedding_dim: dim, contrast, contrast_embedding: contrastEmbedding, quarter_embedding: quarterEmbedding, lexicon_size: lex?.tokens.length ?? 0 };
  const X = feats.map((f, i) =>
    assembleInputs(shape, {
      f,
      fA: fA?.[i],
      fB: fB?.[i],
      e: embs?.[i] ?? null,
      eA: eA?.[i] ?? null,
      eB: eB?.[i] ?? null,
      eQ: eQ ? eQ.map((e) => e[i]) : null,
      lex: lex ? lexiconVector(lex, texts[i]) : null,
    }),
  );
  const e = opts.embedder?.info;
  return {
    rows: opts.rows,
    X,
    inputs: inputNamesFor(featureNames, dim, contrast, lex?.tokens ?? [], contrastEmbedding, quarterEmbedding),
    embeddingDim: dim,
    contrast,
    contrastEmbedding,
    quarterEmbedding,
    spanPooling,
    lexicon: lex,
    encoder: e
      ? { id: e.id, version: opts.encoderVersion ?? e.version, dim: e.dim, files: opts.encoderFiles ?? {}, trained_with: e.sha256 }
      : null,
  };
}

export function headData(rows: TextRow[], X: Float64Array[], weights?: Float64Array): {
  X: Float64Array[];
  masks: number[];
  roles: number[];
  pr: (number | null)[];
  weights: Float64Array;
} {
  return {
    X,
    masks: rows.map(roleMask),
    roles: rows.map((r) => (r.role ? roleIndex(r.role) : -1)),
    pr: rows.map((r) => r.pr),
    weights: weights ?? new Float64Array(rows.length).fill(1),
  };
}

/** the same inputs with the marker-word block (the last `oldSize` inputs) replaced by `lex`'s */
export function withLexicon(X: Float64Array[], oldSize: number, rawTexts: string[], lex: LexiconJSON | null): Float64Array[] {
  const texts = rawTexts.map(normalizeForHeads);
  return X.map((x, i) => {
    const base = x.subarray(0, x.length - oldSize);
    const v = lex ? lexiconVector(lex, texts[i]) : new Float64Array(0);
    const y = new Float64Array(base.length + v.length);
    y.set(base, 0);
    y.set(v, base.length);
    return y;
  });
}
