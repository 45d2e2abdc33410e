/**
 * createEmbedder: the transformer encoder as the rest of the service sees it (TextEmbedder).
 *
 * model dir (verified) -> tokenizer with offsets -> overlapping windows -> micro-batcher ->
 * onnxruntime session (last_hidden_state) -> masked mean pool + L2 per window ->
 * token-weighted mean of the window vectors, L2-normalised.
 */
import type { Embedding, EncoderInfo, TextEmbedder, WindowEmbedding } from './types.js';
import { cpuKernels } from './cpu.js';
import { MicroBatcher } from './batcher.js';
import { EncoderUnavailableError } from './errors.js';
import { loadEncoderFiles, type EncoderConfig } from './model-dir.js';
import { NO_GROUP, openSession, type SessionSpec } from './session.js';
import { TextTokenizer, type TokenizedText, type WindowSpec } from './tokenize.js';
import { openWorkerSession, type SupervisedSession } from './worker-session.js';

export { EncoderInferenceError, EncoderOverloadedError, EncoderUnavailableError } from './errors.js';
export { WorkerRestartingError } from './supervisor.js';
export type { Embedding, EncoderInfo, TextEmbedder, WindowEmbedding } from './types.js';

export interface EmbedderLogger {
  warn(o: unknown, msg?: string): void;
  info(o: unknown, msg?: string): void;
}

export interface EmbedderOptions {
  /** encoder directory: config.json, tokenizer.json, model.onnx / model.int8.onnx */
  dir: string;
  precision: 'int8' | 'fp32';
  device: 'cpu' | 'cuda';
  /** onnxruntime intra-op threads (default: onnxruntime's choice, one per core) */
  intraOpThreads?: number;
  /** onnxruntime inter-op threads (default 1: the graph runs sequentially) */
  interOpThreads?: number;
  /**
   * let idle onnxruntime threads spin-wait for the next op (onnxruntime's default). Default false here: spinning
   * threads take the CPU that tokenization, features and HTTP on the event loop need on small machines.
   */
  allowSpinning?: boolean;
  /** padded tokens per batch, batch size x longest window (default 2048: on 2 CPU cores 8 windows of 256 beat 16 or 32) */
  maxBatchTokens?: number;
  /** windows per batch (default 64) */
  maxBatchSize?: number;
  /** how long a queued window may wait for others to share its batch (default 2 ms) */
  maxWaitMs?: number;
  /** texts waiting for the encoder before new work is refused with EncoderOverloadedError (default 256) */
  maxQueue?: number;
  /** windows waiting for the encoder before new work is refused (default 16384; a long text has many) */
  maxQueueWindows?: number;
  /**
   * run inference in a worker thread (default true): onnxruntime-node's run() blocks the thread that calls
   * it for the whole inference, which on the main thread would stall HTTP for every batch
   */
  worker?: boolean;
  /** tests: awaited before the warm-up of a worker that replaces one that died (holds the encoder not ready) */
  beforeReplacementReady?: () => Promise<void>;
  /** run a warm-up inference before resolving (default true) */
  warmup?: boolean;
  logger?: EmbedderLogger;
}

/** What the encoder does with one text before any inference: exposed for tests and benchmarks. */
export interface PreparedText {
  tokens: number;
  windows: { ids: Int32Array; start: number; end: number }[];
}

export interface OnnxEmbedder extends TextEmbedder {
  /** tokenizes and windows a text (no inference) */
  prepare(text: string): PreparedText;
  /** runs one batch of windows directly on the session, bypassing the queue (benchmarks) */
  runBatch(windows: Int32Array[]): Promise<Float32Array[]>;
  readonly config: EncoderConfig;
  /** the execution provider and thread settings in use */
  readonly runtime: { executionProvider: string; intraOpThreads: number | null; interOpThreads: number; allowSpinning: boolean; inputs: string[] };
}

const silent: EmbedderLogger = { warn() {}, info() {} };

/** Token-weighted mean of the window vectors, L2-normalised. */
function combine(windows: WindowEmbedding[], dim: number): Float32Array {
  if (windows.length === 1) return windows[0].vector.slice();
  const acc = new Float64Array(dim);
  for (const w of windows) for (let d = 0; d < dim; d++) acc[d] += w.tokens * w.vector[d];
  return unit(acc);
}

/** v / |v| as float32 (zeros stay zeros) */
function unit(acc: Float64Array): Float32Array {
  let norm = 0;
  for (let d = 0; d < acc.length; d++) norm += acc[d] * acc[d];
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(acc.length);
  for (let d = 0; d < acc.length; d++) out[d] = acc[d] * scale;
  return out;
}

interface SpanPlan {
  /** per window, the elementary segment of each token (NO_GROUP outside every span) */
  groups: Uint8Array[];
  /** per window, tokens per segment */
  counts: Int32Array[];
  /** per span, the segments it is made of */
  members: number[][];
}

/**
 * Cuts the text at every span edge into elementary segments (at most 254) and gives each token of each
 * window the segment its first character falls in: the session then returns one sum per segment and a
 * span is the union of its segments, however the spans overlap.
 */
export function spanGroups(tok: TokenizedText, windows: WindowSpec[], spans: [number, number][], prefix: number): SpanPlan {
  const edges = [...new Set(spans.flatMap(([a, b]) => [a, b]))].sort((x, y) => x - y);
  if (edges.length - 1 > NO_GROUP - 1) throw new RangeError(`spans cut the text into ${edges.length - 1} segments; at most ${NO_GROUP - 1}`);
  const segmentOf = (c: number): number => {
    if (edges.length < 2 || c < edges[0] || c >= edges[edges.length - 1]) return NO_GROUP;
    let lo = 0;
    let hi = edges.length - 1; // edges[lo] <= c < edges[hi]
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (edges[mid] <= c) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  const segments = Math.max(0, edges.length - 1);
  const groups: Uint8Array[] = [];
  const counts: Int32Array[] = [];
  for (const w of windows) {
    const g = new Uint8Array(w.ids.length).fill(NO_GROUP);
    const n = new Int32Array(segments);
    for (let i = w.tokenStart; i < w.tokenEnd; i++) {
      const s = segmentOf(tok.starts[i]);
      g[prefix + i - w.tokenStart] = s;
      if (s !== NO_GROUP) n[s]++;
    }
    groups.push(g);
    counts.push(n);
  }
  const members = spans.map(([a, b]) => {
    const m: number[] = [];
    for (let s = 0; s < segments; s++) if (edges[s] >= a && edges[s + 1] <= b) m.push(s);
    return m;
  });
  return { groups, counts, members };
}

/** Each span's vector from the session's per-segment sums (see TextEmbedder.embedSpans). */
function poolSpans(plan: SpanPlan, out: Float32Array[], dim: number, whole: Float32Array): Float32Array[] {
  return plan.members.map((members) => {
    const acc = new Float64Array(dim);
    const sum = new Float64Array(dim);
    let total = 0;
    for (let w = 0; w < out.length; w++) {
      sum.fill(0);
      let n = 0;
      for (const s of members) {
        const c = plan.counts[w][s];
        if (c === 0) continue;
        n += c;
        const at = dim * (1 + s);
        for (let d = 0; d < dim; d++) sum[d] += out[w][at + d];
      }
      if (n === 0) continue;
      let norm = 0;
      for (let d = 0; d < dim; d++) norm += sum[d] * sum[d];
      if (norm === 0) continue;
      const scale = n / Math.sqrt(norm); // token-weighted mean of the windows' L2-normalised pools
      for (let d = 0; d < dim; d++) acc[d] += sum[d] * scale;
      total += n;
    }
    return total === 0 ? whole.slice() : unit(acc);
  });
}

export async function createEmbedder(opts: EmbedderOptions): Promise<OnnxEmbedder> {
  const logger = opts.logger ?? silent;
  const files = await loadEncoderFiles(opts.dir, opts.precision);
  const { config } = files;
  let tokenizer: TextTokenizer;
  try {
    tokenizer = new TextTokenizer(files.tokenizerJson, files.tokenizerConfig);
  } catch (err) {
    throw new EncoderUnavailableError(`tokenizer.json cannot be loaded by @huggingface/tokenizers: ${(err as Error).message}`);
  }
  if (tokenizer.specialCount >= config.max_length)
    throw new EncoderUnavailableError(`max_length ${config.max_length} leaves no room next to ${tokenizer.specialCount} special tokens`);

  const spec: SessionSpec = {
    model: files.onnx,
    onnxFile: files.onnxFile,
    dim: config.dim,
    padId: tokenizer.padId,
    device: opts.device,
    intraOpThreads: opts.intraOpThreads,
    interOpThreads: opts.interOpThreads,
    allowSpinning: opts.allowSpinning,
  };
  // the warm-up of a replacement worker (./supervisor.ts): the same two batches as the first warm-up below
  const warmBatches = (run: (batch: Int32Array[]) => Promise<Float32Array[]>) => {
    const short = prepare('Warm-up.').windows[0].ids;
    const long = prepare('word '.repeat(config.max_length * 2)).windows[0].ids;
    return run([short]).then(() => run([long, short])).then(() => undefined);
  };
  const session = opts.worker === false ? await openSession(spec, logger) : await openWorkerSession(spec, logger, warmBatches, opts.beforeReplacementReady);
  const { device, inputs } = session;
  const supervisor = (session as Partial<SupervisedSession>).supervisor;
  const dim = config.dim;
  const runBatch = (batch: Int32Array[], groups?: (Uint8Array | undefined)[]) => session.run(batch, groups);

  const batcher = new MicroBatcher(runBatch, {
    maxBatchTokens: opts.maxBatchTokens,
    maxBatchSize: opts.maxBatchSize,
    maxWaitMs: opts.maxWaitMs,
    maxQueue: opts.maxQueue,
    maxQueueWindows: opts.maxQueueWindows,
  });

  const tokenized = (text: string): { tok: TokenizedText; windows: WindowSpec[] } => {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    const tok = tokenizer.tokenize(text);
    return { tok, windows: tokenizer.windows(text, tok, config.max_length, config.stride) };
  };
  const prepare = (text: string): PreparedText => {
    const { tok, windows } = tokenized(text);
    return { tokens: tok.ids.length, windows };
  };
  const prefix = tokenizer.prefixIds.length;

  const assemble = (p: PreparedText, vectors: Float32Array[]): Embedding => {
    const windows: WindowEmbedding[] = p.windows.map((w, i) => ({ start: w.start, end: w.end, tokens: w.ids.length, vector: vectors[i] }));
    return { vector: combine(windows, dim), tokens: p.tokens, windows };
  };

  // warm-up (also proves the model's output width matches config.dim): one short and one full window
  if (opts.warmup !== false) {
    try {
      await warmBatches(runBatch);
    } catch (err) {
      await session.release();
      throw new EncoderUnavailableError(`warm-up inference failed: ${(err as Error).message}`);
    }
  }

  const info: EncoderInfo = {
    id: config.id,
    version: config.version,
    dim,
    maxLength: config.max_length,
    precision: opts.precision,
    device,
    sha256: files.onnxSha256,
  };
  logger.info(
    { encoder: info.id, version: info.version, dim, maxLength: info.maxLength, precision: info.precision, device, inputs, cpu: cpuKernels().summary },
    'encoder loaded',
  );

  let closed = false;
  return {
    info,
    config,
    runtime: {
      executionProvider: device,
      intraOpThreads: opts.intraOpThreads ?? null,
      interOpThreads: opts.interOpThreads ?? 1,
      allowSpinning: opts.allowSpinning === true,
      inputs,
    },
    prepare,
    runBatch,
    async embed(text, o) {
      const p = prepare(text);
      const vectors = await batcher.submit(p.windows.map((w) => w.ids), o?.signal);
      return assemble(p, vectors);
    },
    async embedMany(texts, o) {
      const prepared = texts.map(prepare);
      const all = await batcher.submit(prepared.flatMap((p) => p.windows.map((w) => w.ids)), o?.signal, texts.length);
      let k = 0;
      return prepared.map((p) => {
        const v = all.slice(k, k + p.windows.length);
        k += p.windows.length;
        return assemble(p, v);
      });
    },
    async embedSpans(text, spans, o) {
      const { tok, windows } = tokenized(text);
      const plan = spanGroups(tok, windows, spans, prefix);
      const out = await batcher.submit(windows.map((w) => w.ids), o?.signal, 1, plan.groups);
      const embedding = assemble({ tokens: tok.ids.length, windows }, out.map((v) => v.subarray(0, dim)));
      return { embedding, spans: poolSpans(plan, out, dim, embedding.vector) };
    },
    stats: () => batcher.stats(),
    ...(supervisor ? { health: () => supervisor.health() } : {}),
    async close() {
      if (closed) return;
      closed = true;
      await batcher.close();
      await session.release();
    },
  };
}
