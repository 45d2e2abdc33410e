/**
 * The likelihood model: a small causal language model (models/likelihood/, SmolLM2-135M) run by onnxruntime,
 * reading a text as a language model sees it. Its ONNX graph returns four numbers per next token (observed
 * log-probability, expected log-probability = -entropy, variance of the log-probability, rank of the observed
 * token), so no vocabulary-wide logits ever reach JavaScript; src/features/likelihood.ts turns them into
 * features. Knows nothing of detectors or HTTP.
 *
 * model dir (verified: every file's sha256 in config.json, the weights in external-data files next to the graph) -> byte-level BPE tokenizer -> windows of at most
 * max_length tokens, each opened by the BOS token -> one inference per window, one window at a time (the
 * model is ~20x the encoder's cost per token: running two at once would only split the same cores).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { sha256 } from '../encoder/model-dir.js';
import type { TokenStats } from '../features/likelihood.js';

export interface LikelihoodConfig {
  id: string;
  version: string;
  bos_token_id: number;
  max_length: number;
  files: Record<string, string>;
  /** the weights' ONNX external-data files next to model.int4.onnx (each under a git host's 100 MB limit) */
  external_data?: string[];
  source?: Record<string, unknown>;
}

export interface LikelihoodOptions {
  /** directory with config.json, tokenizer.json and model.int4.onnx */
  dir: string;
  /** tokens scored per text at most (the rest of a longer text is not read); default 256 */
  maxTokens?: number;
  intraOpThreads?: number;
  /** run one inference before resolving (default true) */
  warmup?: boolean;
}

export const LIKELIHOOD_ONNX = 'model.int4.onnx';

/** The model directory is missing, corrupt or cannot be loaded. */
export class LikelihoodUnavailableError extends Error {
  constructor(
    public readonly reason: string,
    public readonly modelName = 'likelihood',
  ) {
    super(`model likelihood is not available: ${reason}`);
    this.name = 'ModelUnavailableError';
  }
}

/** Reads a file of the model directory listed in config.json's files and checks its sha256. */
export async function verified(dir: string, files: Record<string, string>, name: string): Promise<Buffer> {
  const expected = files?.[name];
  if (!expected) throw new LikelihoodUnavailableError(`${path.join(dir, 'config.json')} lists no sha256 for ${name}`);
  let data: Buffer;
  try {
    data = await readFile(path.join(dir, name));
  } catch {
    throw new LikelihoodUnavailableError(`${path.join(dir, name)} is missing`);
  }
  const actual = sha256(data);
  if (actual !== expected) throw new LikelihoodUnavailableError(`${name} is corrupt or was replaced: sha256 ${actual} does not match config.json`);
  return data;
}

export class LikelihoodModel {
  /** tail of the chain of inferences: each waits for the one before (one at a time) */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly config: LikelihoodConfig,
    private readonly tokenizer: Tokenizer,
    private readonly session: ort.InferenceSession,
    readonly maxTokens: number,
  ) {}

  static async load(opts: LikelihoodOptions): Promise<LikelihoodModel> {
    let config: LikelihoodConfig;
    try {
      config = JSON.parse(await readFile(path.join(opts.dir, 'config.json'), 'utf8')) as LikelihoodConfig;
    } catch (err) {
      throw new LikelihoodUnavailableError(`${path.join(opts.dir, 'config.json')} cannot be read (${(err as Error).message.split('\n')[0]})`);
    }
    if (!Number.isInteger(config.max_length) || config.max_length < 2 || !Number.isInteger(config.bos_token_id)) {
      throw new LikelihoodUnavailableError('config.json needs integer max_length (>= 2) and bos_token_id');
    }
    const tokenizerJson = JSON.parse((await verified(opts.dir, config.files, 'tokenizer.json')).toString('utf8'));
    // the graph and its external-data files are checked here; onnxruntime then reads them from the directory
    for (const name of [LIKELIHOOD_ONNX, ...(config.external_data ?? [])]) await verified(opts.dir, config.files, name);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path.join(opts.dir, LIKELIHOOD_ONNX), {
        graphOptimizationLevel: 'all',
        executionMode: 'sequential',
        interOpNumThreads: 1,
        ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
    } catch (err) {
      throw new LikelihoodUnavailableError(`onnxruntime cannot load ${LIKELIHOOD_ONNX} (${(err as Error).message.split('\n')[0]})`);
    }
    const model = new LikelihoodModel(config, new Tokenizer(tokenizerJson, {}), session, opts.maxTokens ?? 256);
    if (opts.warmup !== false) await model.score('The committee reviewed the proposal on Tuesday.');
    return model;
  }

  /** Token ids of a text, without special tokens, cut to maxTokens. */
  tokenize(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return ids.length > this.maxTokens ? ids.slice(0, this.maxTokens) : ids;
  }

  /**
   * Per-token statistics of the text's first maxTokens tokens: every token is scored, each window's first one
   * given only the BOS token. Cancelled (rejects with the signal's reason) between windows when the signal fires.
   */
  async score(text: string, signal?: AbortSignal): Promise<TokenStats> {
    const ids = this.tokenize(text);
    const per = this.config.max_length - 1;
    const n = ids.length;
    const stats: TokenStats = { observed: new Float32Array(n), expected: new Float32Array(n), variance: new Float32Array(n), rank: new Float32Array(n) };
    for (let start = 0; start < n; start += per) {
      const window = [this.config.bos_token_id, ...ids.slice(start, start + per)];
      const out = await this.run(window, signal);
      for (let t = 0; t < window.length - 1; t++) {
        stats.observed[start + t] = out[t * 4];
        stats.expected[start + t] = out[t * 4 + 1];
        stats.variance[start + t] = out[t * 4 + 2];
        stats.rank[start + t] = out[t * 4 + 3];
      }
    }
    return stats;
  }

  private run(window: number[], signal?: AbortSignal): Promise<Float32Array> {
    const job = this.tail.then(async () => {
      signal?.throwIfAborted();
      const len = window.length;
      const feeds = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(window, (v) => BigInt(v)), [1, len]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(len).fill(1n), [1, len]),
      };
      const out = await this.session.run(feeds);
      return out.token_stats.data as Float32Array;
    });
    this.tail = job.catch(() => undefined);
    return job;
  }

  /** What /v1/models says of the model. */
  describe(): Record<string, unknown> {
    const { id, version, max_length, files, source } = this.config;
    return { id, version, max_length, max_tokens: this.maxTokens, onnx: LIKELIHOOD_ONNX, files, source };
  }

  private closing: Promise<void> | null = null;

  /** Waits for the inference in progress, then frees the session; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= this.tail.then(() => this.session.release());
    return this.closing;
  }
}
