/**
 * Dynamic micro-batching of encoder windows across concurrent requests.
 *
 * Every request submits its windows (token id sequences) to one shared queue. A batch is formed when
 * the queue holds a full batch (maxBatchTokens padded tokens or maxBatchSize windows) or when its oldest
 * window has waited maxWaitMs, whichever comes first; one batch runs at a time (onnxruntime already uses
 * every intra-op thread). A batch always contains the oldest queued window (no starvation) plus the
 * queued windows whose lengths are closest to it (little padding), as many as fit in maxBatchTokens
 * counted as batch size x longest window. The queue is bounded (maxQueue texts and maxQueueWindows
 * windows): a request that does not fit is refused at once with EncoderOverloadedError (never unbounded
 * memory growth), except that an idle queue always takes one request, so a very long text is never
 * impossible. Aborting a
 * request's signal drops its queued windows and rejects its promise with the signal's reason.
 *
 * One AbortSignal stands for one request (the HTTP layer makes one per request): all the passes
 * submitted with it keep the place in line its first pass got, so a request admitted earlier finishes
 * earlier (first in, first out by request, which keeps admission control's estimate true) and the
 * batches are still filled from the other requests' windows while it prepares its next pass. A request
 * already in line is never refused: the queue bounds apply to a request's first pass only, so no request
 * is turned away half-way after paying for some passes.
 */
import { EncoderInferenceError, EncoderOverloadedError, EncoderUnavailableError } from './errors.js';

export interface BatcherOptions {
  /** padded tokens per batch (batch size x longest window); default 2048 */
  maxBatchTokens?: number;
  /** windows per batch; default 64 */
  maxBatchSize?: number;
  /** how long the oldest queued window may wait for company; default 2 ms */
  maxWaitMs?: number;
  /** texts waiting (some of their windows not yet running) before new requests are refused; default 256 */
  maxQueue?: number;
  /** windows waiting (not running) before new requests are refused; default 16384 */
  maxQueueWindows?: number;
}

/**
 * Runs one batch: ids per window -> one vector per window, same order. `groups` (span pooling) gives
 * some windows a span group per token; those get their group sums after the vector (EncoderSession.run).
 */
export type BatchRunner = (batch: Int32Array[], groups?: (Uint8Array | undefined)[]) => Promise<Float32Array[]>;

interface Owner {
  vectors: (Float32Array | undefined)[];
  remaining: number;
  /** texts this request counts for, and how many of its windows are still queued */
  texts: number;
  queuedWindows: number;
  done: boolean;
  resolve(v: Float32Array[]): void;
  reject(e: unknown): void;
  cleanup(): void;
}

interface Job {
  ids: Int32Array;
  groups?: Uint8Array;
  owner: Owner;
  slot: number;
  enqueuedAt: number;
  /** place in line: the order in which the job's request (its signal) first submitted */
  rank: number;
}

export class MicroBatcher {
  readonly maxBatchTokens: number;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly maxQueueWindows: number;
  private queue: Job[] = [];
  private queuedTokens = 0;
  private queuedTexts = 0;
  private running = 0;
  private batches = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closed = false;
  private drained: (() => void)[] = [];
  /** exponentially weighted padded tokens per second, for Retry-After */
  private tokensPerSecond = 0;
  /** the place in line of each request (signal) that has submitted */
  private readonly ranks = new WeakMap<AbortSignal, number>();
  private nextRank = 0;

  constructor(
    private readonly run: BatchRunner,
    opts: BatcherOptions = {},
  ) {
    this.maxBatchTokens = Math.max(1, opts.maxBatchTokens ?? 2048);
    this.maxBatchSize = Math.max(1, opts.maxBatchSize ?? 64);
    this.maxWaitMs = Math.max(0, opts.maxWaitMs ?? 2);
    this.maxQueue = Math.max(1, opts.maxQueue ?? 256);
    this.maxQueueWindows = Math.max(1, opts.maxQueueWindows ?? 16384);
  }

  /** queued: windows waiting; running: windows in the batch being run; batches: batches run so far */
  stats(): { queued: number; running: number; batches: number } {
    return { queued: this.queue.length, running: this.running, batches: this.batches };
  }

  /** texts with windows still waiting */
  queuedTextCount(): number {
    return this.queuedTexts;
  }

  /**
   * Embeds the windows of one request (which holds `texts` texts); resolves with their vectors in order.
   * Refused with EncoderOverloadedError when the queue would hold more than maxQueue texts or
   * maxQueueWindows windows, unless the queue is empty.
   */
  submit(windows: Int32Array[], signal?: AbortSignal, texts = 1, groups?: (Uint8Array | undefined)[]): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new EncoderUnavailableError('the embedder is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (windows.length === 0) return Promise.resolve([]);
    const known = signal ? this.ranks.get(signal) : undefined;
    if (known === undefined && this.queue.length > 0 && (this.queuedTexts + texts > this.maxQueue || this.queue.length + windows.length > this.maxQueueWindows)) {
      return Promise.reject(new EncoderOverloadedError(this.retryAfterSeconds(), this.queuedTexts));
    }
    return new Promise<Float32Array[]>((resolve, reject) => {
      const onAbort = () => this.abort(owner, signal!.reason);
      const owner: Owner = {
        vectors: new Array(windows.length),
        remaining: windows.length,
        texts,
        queuedWindows: windows.length,
        done: false,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const now = performance.now();
      let rank = known;
      if (rank === undefined) {
        rank = this.nextRank++;
        if (signal) this.ranks.set(signal, rank);
      }
      this.queuedTexts += texts;
      // after the queued jobs of the same or an earlier place in line (usually the end of the queue)
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1].rank > rank) at--;
      const jobs: Job[] = windows.map((ids, i) => ({ ids, groups: groups?.[i], owner, slot: i, enqueuedAt: now, rank }));
      this.queue.splice(at, 0, ...jobs);
      for (const w of windows) this.queuedTokens += w.length;
      // defer, so that requests submitted in the same tick share a batch
      if (!this.immediate) {
        this.immediate = setImmediate(() => {
          this.immediate = null;
          this.schedule();
        });
      }
    });
  }

  /** Resolves when everything accepted so far has finished; refuses new work from now on. */
  close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private retryAfterSeconds(): number {
    if (this.tokensPerSecond <= 0) return 1;
    return Math.min(60, Math.max(1, Math.ceil(this.queuedTokens / this.tokensPerSecond)));
  }

  private abort(owner: Owner, reason: unknown): void {
    if (owner.done) return;
    owner.done = true;
    owner.cleanup();
    this.dropQueued(owner);
    owner.reject(reason);
    this.checkDrained();
  }

  private dropQueued(owner: Owner): void {
    if (owner.queuedWindows === 0) return;
    const kept: Job[] = [];
    for (const job of this.queue) {
      if (job.owner === owner) this.queuedTokens -= job.ids.length;
      else kept.push(job);
    }
    this.queue = kept;
    owner.queuedWindows = 0;
    this.queuedTexts -= owner.texts;
  }

  private schedule(): void {
    if (this.running > 0 || this.queue.length === 0) return;
    const full = this.queue.length >= this.maxBatchSize || this.queuedTokens >= this.maxBatchTokens;
    let oldest = this.queue[0].enqueuedAt;
    for (const j of this.queue) if (j.enqueuedAt < oldest) oldest = j.enqueuedAt;
    const waited = performance.now() - oldest;
    if (full || waited >= this.maxWaitMs || this.closed) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      void this.dispatch();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, Math.max(0, this.maxWaitMs - waited));
    }
  }

  /** The first window in line plus the queued windows closest to it in length, within the token budget. */
  private takeBatch(): Job[] {
    const head = this.queue[0];
    const batch = [head];
    let longest = head.ids.length;
    if (this.queue.length > 1 && this.maxBatchSize > 1) {
      const order: number[] = [];
      for (let i = 1; i < this.queue.length; i++) order.push(i);
      const len = head.ids.length;
      order.sort((a, b) => Math.abs(this.queue[a].ids.length - len) - Math.abs(this.queue[b].ids.length - len) || a - b);
      for (const i of order) {
        if (batch.length >= this.maxBatchSize) break;
        const job = this.queue[i];
        const l = Math.max(longest, job.ids.length);
        if (l * (batch.length + 1) > this.maxBatchTokens) continue;
        batch.push(job);
        longest = l;
      }
    }
    const taken = new Set(batch);
    this.queue = this.queue.filter((j) => !taken.has(j));
    for (const j of batch) {
      this.queuedTokens -= j.ids.length;
      // a request leaves the text count once all its windows have left the queue
      if (--j.owner.queuedWindows === 0) this.queuedTexts -= j.owner.texts;
    }
    return batch;
  }

  private async dispatch(): Promise<void> {
    const batch = this.takeBatch();
    this.running = batch.length;
    this.batches++;
    const t0 = performance.now();
    try {
      const vectors = batch.some((j) => j.groups)
        ? await this.run(batch.map((j) => j.ids), batch.map((j) => j.groups))
        : await this.run(batch.map((j) => j.ids));
      const seconds = (performance.now() - t0) / 1000;
      const longest = batch.reduce((m, j) => Math.max(m, j.ids.length), 0);
      const rate = (longest * batch.length) / Math.max(seconds, 1e-6);
      this.tokensPerSecond = this.tokensPerSecond === 0 ? rate : 0.8 * this.tokensPerSecond + 0.2 * rate;
      for (let i = 0; i < batch.length; i++) {
        const { owner, slot } = batch[i];
        if (owner.done) continue;
        owner.vectors[slot] = vectors[i];
        if (--owner.remaining === 0) {
          owner.done = true;
          owner.cleanup();
          owner.resolve(owner.vectors as Float32Array[]);
        }
      }
    } catch (err) {
      // a worker that died (WorkerRestartingError: 503, retryable) is passed on as it is
      const error =
        err instanceof EncoderInferenceError || (err as Error)?.name === 'WorkerRestartingError'
          ? err
          : new EncoderInferenceError((err as Error)?.message ?? String(err), { cause: err });
      for (const { owner } of batch) {
        if (owner.done) continue;
        owner.done = true;
        owner.cleanup();
        this.dropQueued(owner); // its other windows will not be needed
        owner.reject(error);
      }
    } finally {
      this.running = 0;
    }
    this.checkDrained();
    this.schedule();
  }

  private checkDrained(): void {
    if (this.queue.length === 0 && this.running === 0 && this.drained.length > 0) {
      for (const d of this.drained.splice(0)) d();
    }
  }
}
