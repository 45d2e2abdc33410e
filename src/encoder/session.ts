/**
 * The onnxruntime session of the encoder: creation (execution provider, threads, CUDA fallback),
 * input/output checks, and one batch of windows -> one pooled, L2-normalised vector per window.
 * Runs where it is opened: in the session worker thread (./session-worker.ts, the default, because
 * onnxruntime-node's run() blocks the thread that calls it for the whole inference) or in-process.
 */
import ort from 'onnxruntime-node';
import { EncoderInferenceError, EncoderUnavailableError } from './errors.js';

export interface SessionOptions {
  device: 'cpu' | 'cuda';
  intraOpThreads?: number;
  interOpThreads?: number;
  allowSpinning?: boolean;
}

/** What a session needs: the model bytes, its file name (for messages), the output width and the pad id. */
export interface SessionSpec extends SessionOptions {
  model: Uint8Array;
  onnxFile: string;
  dim: number;
  padId: number;
}

export interface SessionLogger {
  warn(o: unknown, msg?: string): void;
  info(o: unknown, msg?: string): void;
}

export interface EncoderSession {
  /**
   * ids per window -> one pooled, L2-normalised vector per window, same order. With `groups`, a window
   * that has a group id per token (NO_GROUP for none) gets dim x (1 + G) numbers instead: its pooled
   * vector, then for each group 0..G-1 the plain sum of its tokens' states (span pooling, one pass).
   */
  run(batch: Int32Array[], groups?: (Uint8Array | undefined)[]): Promise<Float32Array[]>;
  readonly inputs: string[];
  readonly device: 'cpu' | 'cuda';
  release(): Promise<void>;
}

async function createSession(
  model: Uint8Array,
  opts: SessionOptions,
  logger: SessionLogger,
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

/** a token that belongs to no span group */
export const NO_GROUP = 255;

/** The pooled vector of one batch row followed by the sums of its tokens' states per group (see EncoderSession.run). */
function poolRowGroups(data: Float32Array, row: number, seq: number, dim: number, len: number, groups: Uint8Array, acc: Float64Array): Float32Array {
  let count = 0;
  for (let t = 0; t < len; t++) if (groups[t] !== NO_GROUP && groups[t] + 1 > count) count = groups[t] + 1;
  const out = new Float32Array(dim * (1 + count));
  out.set(poolRow(data, row, seq, dim, len, acc), 0);
  const base = row * seq * dim;
  for (let t = 0; t < len; t++) {
    const g = groups[t];
    if (g === NO_GROUP) continue;
    const o = base + t * dim;
    const to = dim * (1 + g);
    for (let d = 0; d < dim; d++) out[to + d] += data[o + d];
  }
  return out;
}

/** Opens the session and checks its inputs and outputs; throws EncoderUnavailableError when unusable. */
export async function openSession(spec: SessionSpec, logger: SessionLogger): Promise<EncoderSession> {
  const { session, device } = await createSession(spec.model, spec, logger);
  const inputs = [...session.inputNames];
  const meta = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const known = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);
  const unknown = inputs.filter((n) => !known.has(n));
  if (!inputs.includes('input_ids') || unknown.length > 0) {
    await session.release();
    throw new EncoderUnavailableError(
      `${spec.onnxFile} must take input_ids [+ attention_mask, token_type_ids, position_ids]; it declares ${inputs.join(', ')}`,
    );
  }
  if (!session.outputNames.includes('last_hidden_state')) {
    await session.release();
    throw new EncoderUnavailableError(`${spec.onnxFile} has no output last_hidden_state (outputs: ${session.outputNames.join(', ')})`);
  }
  const int32Inputs = new Set(inputs.filter((n) => { const m = meta.get(n); return m?.isTensor && m.type === 'int32'; }));
  const { dim, padId } = spec;

  const runBatch = async (batch: Int32Array[], groups?: (Uint8Array | undefined)[]): Promise<Float32Array[]> => {
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
    for (let r = 0; r < b; r++) {
      const g = groups?.[r];
      vectors[r] = g ? poolRowGroups(data, r, seq, dim, batch[r].length, g, acc) : poolRow(data, r, seq, dim, batch[r].length, acc);
    }
    out.dispose();
    return vectors;
  };

  return { run: runBatch, inputs, device, release: () => session.release() };
}
