/**
 * The likelihood model: a small causal language model (models/likelihood/, SmolLM2-135M) run by onnxruntime,
 * reading a text as a language model sees it. Its ONNX graph returns four numbers per next token (observed
 * log-probability, expected log-probability = -entropy, variance of the log-probability, rank of the observed
 * token), so no vocabulary-wide logits ever reach JavaScript; src/features/likelihood.ts turns them into
 * features. Knows nothing of detectors or HTTP.
 *
 * model dir (verified: every file's sha256 in config.json, the weights in external-data files next to the graph) -> byte-level BPE tokenizer -> windows of at most
 * max_length tokens, each opened by the BOS token -> a first-in first-out line of windows -> one inference per
 * window, one window at a time, in a supervised worker thread (./session-worker.ts). Batching windows buys no
 * gain this CPU can confirm (two windows of 256 tokens in one batch took 0.8x to 1.1x two runs on 2 shared cores:
 * bench/RESULTS.md section 9), and running two at once would only split the same cores.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { sha256 } from '../encoder/model-dir.js';
import { startModuleWorker, WorkerSupervisor, type WorkerHealth } from '../encoder/supervisor.js';
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
  /**
   * run inference in a supervised worker thread (default true): onnxruntime-node's run() blocks the thread that
   * calls it for the whole inference; a worker that dies is replaced (src/encoder/supervisor.ts)
   */
  worker?: boolean;
  /** tests: awaited before the warm-up of a worker that replaces one that died */
  beforeReplacementReady?: () => Promise<void>;
  /** where a worker's crash and its replacement are logged */
  logger?: { warn(o: unknown, msg?: string): void; info(o: unknown, msg?: string): void };
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

/** One inference of one window (BOS + tokens): 4 numbers per next token, and the inference's own time. */
interface WindowRunner {
  run(window: number[]): Promise<{ stats: Float32Array; ms: number }>;
  release(): Promise<void>;
  health?(): WorkerHealth;
}

interface Job {
  window: number[];
  signal?: AbortSignal;
  resolve(v: Float32Array): void;
  reject(e: unknown): void;
  cleanup(): void;
}

/** estimated tokens of `chars` characters (byte-level BPE on English: about 4 characters a token, as the encoder's estimate) */
const CHARS_PER_TOKEN = 4;

/** the first inference a model (or a replacement worker) runs: a full window, so that its time is a throughput */
const WARM_UP_TEXT = 'The committee reviewed the proposal on Tuesday and asked the authors to clarify how the data were collected. ';

function openInProcess(file: string, intraOpThreads?: number): Promise<WindowRunner> {
  return ort.InferenceSession.create(file, {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(intraOpThreads ? { intraOpNumThreads: intraOpThreads } : {}),
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  }).then(
    (session) => ({
      async run(window: number[]) {
        const len = window.length;
        const t0 = performance.now();
        const out = await session.run({
          input_ids: new ort.Tensor('int64', BigInt64Array.from(window, (v) => BigInt(v)), [1, len]),
          attention_mask: new ort.Tensor('int64', new BigInt64Array(len).fill(1n), [1, len]),
        });
        return { stats: out.token_stats.data as Float32Array, ms: performance.now() - t0 };
      },
      release: () => session.release(),
    }),
    (err: unknown) => {
      throw new LikelihoodUnavailableError(`onnxruntime cannot load ${LIKELIHOOD_ONNX} (${(err as Error).message.split('\n')[0]})`);
    },
  );
}

async function openInWorker(
  file: string,
  intraOpThreads: number | undefined,
  warmup: (run: (window: number[]) => Promise<unknown>) => Promise<void>,
  beforeReady: (() => Promise<void>) | undefined,
  logger: NonNullable<LikelihoodOptions['logger']>,
): Promise<WindowRunner> {
  const supervisor = new WorkerSupervisor({
    name: 'likelihood',
    start: (fault) => startModuleWorker(new URL(`./session-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url), { path: file, intraOpThreads, fault }),
    startError: (m) => new LikelihoodUnavailableError(m.name === 'LikelihoodLoadError' ? `onnxruntime cannot load ${LIKELIHOOD_ONNX} (${m.message})` : (m.reason ?? m.message)),
    runError: (e) => new Error(`likelihood inference failed: ${e.message}`),
    warmup: (run) => warmup((window) => run({ window })),
    beforeReady,
    logger,
  });
  await supervisor.open();
  return {
    run: (window) => supervisor.run<{ stats: Float32Array; ms: number }>({ window }),
    release: () => supervisor.close(),
    health: () => supervisor.health(),
  };
}

export class LikelihoodModel {
  /** windows waiting for their inference, first in first out; one runs at a time */
  private queue: Job[] = [];
  private running: Job | null = null;
  /** tokens (BOS included) in the windows queued or running: what admission control calls the model's outstanding work */
  private queuedTokens = 0;
  /** tokens per second of inference, measured on every window the model reads (an EWMA; the warm-up's until then) */
  private rate = 0;
  /** windows run, and windows dropped from the queue because their request was cancelled */
  readonly counts = { windows: 0, cancelled: 0 };
  private closed = false;

  private constructor(
    readonly config: LikelihoodConfig,
    private readonly tokenizer: Tokenizer,
    private runner: WindowRunner,
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
    const tokenizer = new Tokenizer(tokenizerJson, {});
    const maxTokens = opts.maxTokens ?? 256;
    const file = path.join(opts.dir, LIKELIHOOD_ONNX);
    // a replacement worker is warmed up on one full window (the model's own warm-up, below)
    let warmWindow: number[] = [];
    const runner =
      opts.worker === false
        ? await openInProcess(file, opts.intraOpThreads)
        : await openInWorker(file, opts.intraOpThreads, async (run) => void (await run(warmWindow)), opts.beforeReplacementReady, opts.logger ?? { warn() {}, info() {} });
    const model = new LikelihoodModel(config, tokenizer, runner, maxTokens);
    warmWindow = model.windows(model.tokenize(WARM_UP_TEXT.repeat(Math.ceil(maxTokens / 16))))[0];
    if (opts.warmup !== false) await model.score(WARM_UP_TEXT.repeat(Math.ceil(Math.min(maxTokens, config.max_length) / 16)));
    return model;
  }

  /**
   * Estimated cost of reading a text of `chars` characters, in the unit of tokensPerSecond (tokens fed to the
   * model, BOS included), from its length alone (admission control: no tokenization at the door).
   */
  cost(chars: number): number {
    const tokens = Math.min(this.maxTokens, Math.ceil(chars / CHARS_PER_TOKEN));
    return tokens + Math.max(1, Math.ceil(tokens / (this.config.max_length - 1)));
  }

  /** measured tokens per second of inference (0 before the first window) */
  get tokensPerSecond(): number {
    return this.rate;
  }

  /** windows waiting and running, and their tokens */
  stats(): { queued: number; running: number; tokens: number } {
    return { queued: this.queue.length, running: this.running ? 1 : 0, tokens: this.queuedTokens };
  }

  /** the worker's health (supervised: replaced when it dies) */
  health(): WorkerHealth | undefined {
    return this.runner.health?.();
  }

  /** the windows (BOS first) the model reads of these token ids */
  private windows(ids: number[]): number[][] {
    const per = this.config.max_length - 1;
    const out: number[][] = [];
    for (let start = 0; start < ids.length; start += per) out.push([this.config.bos_token_id, ...ids.slice(start, start + per)]);
    return out;
  }

  /** Token ids of a text, without special tokens, cut to maxTokens. */
  tokenize(text: string): number[] {
    const ids = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return ids.length > this.maxTokens ? ids.slice(0, this.maxTokens) : ids;
  }

  /**
   * Per-token statistics of the text's first maxTokens tokens: every token is scored, each window's first one
   * given only the BOS token. Its windows wait in line behind the ones asked for earlier; when the signal fires
   * (deadline, client gone) they leave the line at once and the promise rejects with the signal's reason (a
   * window already running finishes in the worker and its answer is dropped).
   */
  async score(text: string, signal?: AbortSignal): Promise<TokenStats> {
    const ids = this.tokenize(text);
    const n = ids.length;
    const stats: TokenStats = { observed: new Float32Array(n), expected: new Float32Array(n), variance: new Float32Array(n), rank: new Float32Array(n) };
    const per = this.config.max_length - 1;
    // every window of the text joins the line now (its place is kept), answers come in order
    const outs = await Promise.all(this.windows(ids).map((w) => this.enqueue(w, signal)));
    outs.forEach((out, k) => {
      const start = k * per;
      const len = Math.min(per, n - start);
      for (let t = 0; t < len; t++) {
        stats.observed[start + t] = out[t * 4];
        stats.expected[start + t] = out[t * 4 + 1];
        stats.variance[start + t] = out[t * 4 + 2];
        stats.rank[start + t] = out[t * 4 + 3];
      }
    });
    return stats;
  }

  private enqueue(window: number[], signal?: AbortSignal): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new LikelihoodUnavailableError('the likelihood model is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Float32Array>((resolve, reject) => {
      const onAbort = () => this.cancel(job, signal!.reason);
      const job: Job = { window, signal, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(job);
      this.queuedTokens += window.length;
      this.pump();
    });
  }

  private cancel(job: Job, reason: unknown): void {
    const at = this.queue.indexOf(job);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.queuedTokens -= job.window.length;
      this.counts.cancelled++;
    }
    job.cleanup();
    job.reject(reason); // a running job's answer will be dropped (a settled promise ignores it)
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    this.runner.run(job.window).then(
      ({ stats, ms }) => {
        this.counts.windows++;
        const measured = (job.window.length / Math.max(ms, 1e-3)) * 1000;
        this.rate = this.rate === 0 ? measured : 0.8 * this.rate + 0.2 * measured;
        job.cleanup();
        job.resolve(stats);
      },
      (err: unknown) => {
        job.cleanup();
        job.reject(err);
      },
    ).finally(() => {
      this.queuedTokens -= job.window.length;
      this.running = null;
      this.pump();
    });
  }

  /** What /v1/models says of the model. */
  describe(): Record<string, unknown> {
    const { id, version, max_length, files, source } = this.config;
    return { id, version, max_length, max_tokens: this.maxTokens, onnx: LIKELIHOOD_ONNX, files, source };
  }

  private closing: Promise<void> | null = null;

  /** Refuses new work, waits for the windows accepted so far, then frees the session; a second call waits for the first. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
      await this.runner.release();
    })();
    return this.closing;
  }
}
