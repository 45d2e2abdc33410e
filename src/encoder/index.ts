/**
 * createEmbedder: the transformer encoder as the rest of the service sees it (TextEmbedder).
 *
 * model dir (verified) -> tokenizer with offsets -> overlapping windows -> micro-batcher ->
 * onnxruntime session (last_hidden_state) -> masked mean pool + L2 per window ->
 * token-weighted mean of the window vectors, L2-normalised.
 */
import ort from 'onnxruntime-node';
import type { Embedding, EncoderInfo, TextEmbedder, WindowEmbedding } from './types.js';
import { MicroBatcher } from './batcher.js';
import { EncoderInferenceError, EncoderUnavailableError } from './errors.js';
import { loadEncoderFiles, type EncoderConfig } from './model-dir.js';
import { TextTokenizer } from './tokenize.js';

export { EncoderInferenceError, EncoderOverloadedError, EncoderUnavailableError } from './errors.js';
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

async function createSession(
  model: Uint8Array,
  opts: EmbedderOptions,
  logger: EmbedderLogger,
): Promise<{ session: ort.InferenceSession; device: 'cpu' | 'cuda' }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: opts.interOpThreads ?? 1,
    ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: opts.allowSpinning ? '1' : '0' }, inter_op: { allow_spinning: opts.allowSpinning ? '1' : '0' } } },
  };
  if (opts.device === 'cuda') {
    // linux-x64 onnxruntime-node lists cuda as not bundled: the provider library comes from its install
    // script (ONNXRUNTIME_NODE_INSTALL=cuda12, as the CUDA image does) and is found at session creation
    const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
    if (!cuda) {
      logger.warn(
        { device: 'cuda', fallback: 'cpu' },
        'DEVICE=cuda asked for, but this onnxruntime-node build has no CUDA execution provider; running on CPU',
      );
    } else {
      try {
        const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cuda'] });
        return { session, device: 'cuda' };
      } catch (err) {
        logger.warn({ device: 'cuda', fallback: 'cpu', err: (err as Error).message }, 'CUDA execution provider failed to start; running on CPU');
      }
    }
  }
  try {
    const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
    return { session, device: 'cpu' };
  } catch (err) {
    throw new EncoderUnavailableError(`onnxruntime cannot load the model (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * Masked mean pool of rows [0, len) of one batch row of last_hidden_state, then L2 norm; reads the
 * output tensor in place.
 */
function poolRow(data: Float32Array, row: number, seq: number, dim: number, len: number, acc: Float64Array): Float32Array {
  acc.fill(0);
  const base = row * seq * dim;
  for (let t = 0; t < len; t++) {
    const o = base + t * dim;
    for (let d = 0; d < dim; d++) acc[d] += data[o + d];
  }
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += acc[d] * acc[d];
  norm = Math.sqrt(norm);
  const out = new Float32Array(dim);
  const scale = norm > 0 ? 1 / norm : 0; // the mean's 1/len cancels in the L2 norm
  for (let d = 0; d < dim; d++) out[d] = acc[d] * scale;
  return out;
}

/** Token-weighted mean of the window vectors, L2-normalised. */
function combine(windows: WindowEmbedding[], dim: number): Float32Array {
  if (windows.length === 1) return windows[0].vector.slice();
  const acc = new Float64Array(dim);
  for (const w of windows) for (let d = 0; d < dim; d++) acc[d] += w.tokens * w.vector[d];
  let norm = 0;
  for (let d = 0; d < dim; d++) norm += acc[d] * acc[d];
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  const out = new Float32Array(dim);
  for (let d = 0; d < dim; d++) out[d] = acc[d] * scale;
  return out;
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

  const { session, device } = await createSession(files.onnx, opts, logger);
  const inputs = [...session.inputNames];
  const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const known = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);
  const unknown = inputs.filter((n) => !known.has(n));
  if (!inputs.includes('input_ids') || unknown.length > 0) {
    await session.release();
    throw new EncoderUnavailableError(
      `${files.onnxFile} must take input_ids [+ attention_mask, token_type_ids, position_ids]; it declares ${inputs.join(', ')}`,
    );
  }
  if (!session.outputNames.includes('last_hidden_state')) {
    await session.release();
    throw new EncoderUnavailableError(`${files.onnxFile} has no output last_hidden_state (outputs: ${session.outputNames.join(', ')})`);
  }
  const int32Inputs = new Set(inputs.filter((n) => { const m = meta.get(n); return m?.isTensor && m.type === 'int32'; }));
  const dim = config.dim;
  const padId = tokenizer.padId;

  const runBatch = async (batch: Int32Array[]): Promise<Float32Array[]> => {
    const b = batch.length;
    let seq = 0;
    for (const w of batch) seq = Math.max(seq, w.length);
    const size = b * seq;
    const ids = new BigInt64Array(size).fill(BigInt(padId));
    const mask = new BigInt64Array(size);
    for (let r = 0; r < b; r++) {
      const w = batch[r];
      const o = r * seq;
      for (let t = 0; t < w.length; t++) {
        ids[o + t] = BigInt(w[t]);
        mask[o + t] = 1n;
      }
    }
    const tensor = (name: string, data: BigInt64Array) =>
      int32Inputs.has(name)
        ? new ort.Tensor('int32', Int32Array.from(data, (x) => Number(x)), [b, seq])
        : new ort.Tensor('int64', data, [b, seq]);
    const feeds: Record<string, ort.Tensor> = { input_ids: tensor('input_ids', ids) };
    if (inputs.includes('attention_mask')) feeds.attention_mask = tensor('attention_mask', mask);
    if (inputs.includes('token_type_ids')) feeds.token_type_ids = tensor('token_type_ids', new BigInt64Array(size));
    if (inputs.includes('position_ids')) {
      const pos = new BigInt64Array(size);
      for (let r = 0; r < b; r++) for (let t = 0; t < seq; t++) pos[r * seq + t] = BigInt(t);
      feeds.position_ids = tensor('position_ids', pos);
    }
    let out: ort.Tensor;
    try {
      out = (await session.run(feeds, ['last_hidden_state'])).last_hidden_state;
    } catch (err) {
      throw new EncoderInferenceError((err as Error).message.split('\n')[0], { cause: err });
    }
    const [ob, os_, od] = out.dims;
    if (ob !== b || os_ !== seq || od !== dim || out.type !== 'float32')
      throw new EncoderInferenceError(`last_hidden_state is ${out.type} [${out.dims.join(', ')}], expected float32 [${b}, ${seq}, ${dim}]`);
    const data = out.data as Float32Array;
    const acc = new Float64Array(dim);
    const vectors: Float32Array[] = new Array(b);
    for (let r = 0; r < b; r++) vectors[r] = poolRow(data, r, seq, dim, batch[r].length, acc);
    out.dispose();
    return vectors;
  };

  const batcher = new MicroBatcher(runBatch, {
    maxBatchTokens: opts.maxBatchTokens,
    maxBatchSize: opts.maxBatchSize,
    maxWaitMs: opts.maxWaitMs,
    maxQueue: opts.maxQueue,
    maxQueueWindows: opts.maxQueueWindows,
  });

  const prepare = (text: string): PreparedText => {
    if (typeof text !== 'string') throw new TypeError('text must be a string');
    const tok = tokenizer.tokenize(text);
    return { tokens: tok.ids.length, windows: tokenizer.windows(text, tok, config.max_length, config.stride) };
  };

  const assemble = (p: PreparedText, vectors: Float32Array[]): Embedding => {
    const windows: WindowEmbedding[] = p.windows.map((w, i) => ({ start: w.start, end: w.end, tokens: w.ids.length, vector: vectors[i] }));
    return { vector: combine(windows, dim), tokens: p.tokens, windows };
  };

  // warm-up (also proves the model's output width matches config.dim): one short and one full window
  if (opts.warmup !== false) {
    try {
      const short = prepare('Warm-up.').windows[0].ids;
      const long = prepare('word '.repeat(config.max_length * 2)).windows[0].ids;
      await runBatch([short]);
      await runBatch([long, short]);
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
    { encoder: info.id, version: info.version, dim, maxLength: info.maxLength, precision: info.precision, device, inputs },
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
    stats: () => batcher.stats(),
    async close() {
      if (closed) return;
      closed = true;
      await batcher.close();
      await session.release();
    },
  };
}
