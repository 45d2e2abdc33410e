/**
 * A supervised model worker thread: the main thread's end of a worker that holds an onnxruntime session
 * (the encoder's ./session-worker.ts, the likelihood model's ../likelihood/session-worker.ts).
 *
 * The worker dies with an uncaught error (a throw outside a run's try, an onnxruntime abort), with
 * ERR_WORKER_OUT_OF_MEMORY, or by exiting. Then:
 *   - every run in flight is rejected at once with WorkerRestartingError (503 + Retry-After, retryable:
 *     never a hang, never a made-up answer), and so is every run asked for until the replacement is warm;
 *   - a replacement is started from the same spec and warmed up (the owner's warm-up); until it is,
 *     state is 'restarting' (/readyz: not ready), then 'ready' again; `restarts` counts the replacements
 *     started and `lastRecoveryMs` the time from the crash to ready;
 *   - a replacement that fails to start is retried after a growing pause (1, 2, 4 ... 30 s).
 * An error that onnxruntime throws inside a run is not a crash: that run gets its error (500), the worker
 * and its session go on.
 *
 * Protocol: workerData is the spec, with `fault` added (below); the worker answers { type: 'ready', info }
 * or { type: 'failed', name, message, reason? }, then for each { type: 'run', id, ...payload } a
 * { type: 'result', id, value } or { type: 'result', id, error: { name, message } }; log lines travel as
 * { type: 'log', level, obj, msg }; { type: 'close' } releases the session and is answered { type: 'closed' }.
 *
 * Fault injection (tests and the bench only): LLM_PROVENANCE_FAULT=<worker>-<exit|throw>:<n> makes the
 * first worker of that name (encoder or likelihood) exit (or throw an uncaught error) when its n-th run
 * arrives, before answering it: a crash mid-batch. Its replacement runs clean.
 */
import { Worker } from 'node:worker_threads';

export interface SupervisorLogger {
  warn(o: unknown, msg?: string): void;
  info(o: unknown, msg?: string): void;
}

/** The worker died; the request may be retried once the replacement is warm (Retry-After). */
export class WorkerRestartingError extends Error {
  constructor(
    public readonly modelName: string,
    public readonly reason: string,
    public readonly retryAfterSeconds = 5,
  ) {
    super(`the ${modelName} worker is being replaced (${reason}); retry in ${retryAfterSeconds} s`);
    this.name = 'WorkerRestartingError';
  }
}

/** What a worker is told to do wrong (tests and bench only). */
export interface Fault {
  kind: 'exit' | 'throw';
  /** the run (1-based) on which it happens */
  at: number;
}

/** The fault LLM_PROVENANCE_FAULT asks of the worker called `name`, if any. */
export function faultFor(name: string, env: NodeJS.ProcessEnv = process.env): Fault | undefined {
  const m = /^([a-z]+)-(exit|throw):(\d+)$/.exec(env.LLM_PROVENANCE_FAULT ?? '');
  if (!m || m[1] !== name) return undefined;
  return { kind: m[2] as Fault['kind'], at: Math.max(1, Number(m[3])) };
}

/** Worker-side: carries out the fault on the run that is due (call it when a run arrives). */
export function faultInjector(fault: Fault | undefined): () => void {
  let runs = 0;
  return () => {
    if (!fault || ++runs !== fault.at) return;
    if (fault.kind === 'exit') process.exit(70); // in a worker thread: ends this thread only
    setImmediate(() => {
      throw new Error(`fault injection: uncaught error on run ${runs}`);
    });
    // the run itself never answers: the uncaught error ends the thread first
    throw Object.assign(new Error('fault injection'), { fault: true });
  };
}

/** Starts `file` (a .ts module next to the caller's, or its compiled .js) as a worker thread with `workerData`. */
export function startModuleWorker(moduleUrl: URL, workerData: unknown): Worker {
  if (!moduleUrl.href.endsWith('.ts')) return new Worker(moduleUrl, { workerData });
  // under tsx (tests, `npm run dev`, the bench) the worker registers tsx's loader before importing it (workers do not inherit it)
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(moduleUrl.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

type FromWorker =
  | { type: 'ready'; info: unknown }
  | { type: 'failed'; name: string; message: string; reason?: string }
  | { type: 'log'; level: 'warn' | 'info'; obj: unknown; msg?: string }
  | { type: 'result'; id: number; value?: unknown; error?: { name: string; message: string } }
  | { type: 'closed' };

export interface SupervisorOptions<I> {
  /** model name, for errors, logs and metrics (encoder, likelihood) */
  name: string;
  /** starts one worker (the same spec each time) */
  start(fault: Fault | undefined): Worker;
  /** turns a worker's 'failed' message into the error the first start rejects with */
  startError(m: { name: string; message: string; reason?: string }): Error;
  /** turns a run's error (onnxruntime failed on it) into the error its caller gets */
  runError(e: { name: string; message: string }): Error;
  /** warms a replacement up (runs through it) before it is marked ready; the first start is warmed by its owner */
  warmup?(run: (payload: Record<string, unknown>, transfer?: ArrayBuffer[]) => Promise<unknown>, info: I): Promise<void>;
  logger: SupervisorLogger;
  /** awaited before a replacement's warm-up (tests: holds the replacement not ready) */
  beforeReady?(): Promise<void>;
  /** the fault to inject (default: LLM_PROVENANCE_FAULT) */
  fault?: Fault;
}

export type WorkerState = 'starting' | 'ready' | 'restarting' | 'closed';

/** What /readyz and /metrics read of a supervised worker. */
export interface WorkerHealth {
  state: WorkerState;
  /** why it is not ready (the last crash) */
  reason?: string;
  restarts: number;
  /** ms from the last crash to its replacement being warm */
  lastRecoveryMs: number | null;
  /** Date.now() of the last crash */
  lastCrashAt: number | null;
}

export class WorkerSupervisor<I = unknown> {
  state: WorkerState = 'starting';
  /** replacements started after a crash */
  restarts = 0;
  /** ms from the last crash to its replacement being warm (null: none yet) */
  lastRecoveryMs: number | null = null;
  /** when the last crash happened (Date.now()), null: none */
  lastCrashAt: number | null = null;
  /** why the last worker died */
  lastCrash: string | null = null;
  info!: I;
  private worker: Worker | null = null;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  private nextId = 0;
  private generation = 0;
  private failedStarts = 0;
  /** a replacement is starting, warming up, or waiting to retry */
  private replacing = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  private readonly fault: Fault | undefined;

  constructor(private readonly opts: SupervisorOptions<I>) {
    this.fault = opts.fault ?? faultFor(opts.name);
  }

  health(): WorkerHealth {
    return {
      state: this.state,
      ...(this.state === 'restarting' ? { reason: `its worker thread ${this.lastCrash ?? 'died'}; a replacement is warming up` } : {}),
      restarts: this.restarts,
      lastRecoveryMs: this.lastRecoveryMs,
      lastCrashAt: this.lastCrashAt,
    };
  }

  /** Starts the first worker; rejects (with startError) when it cannot open its session. */
  async open(): Promise<I> {
    this.info = await this.spawn(this.fault);
    this.state = 'ready';
    return this.info;
  }

  /** seconds a caller should wait before retrying while a replacement warms up */
  private retryAfter(): number {
    return Math.min(60, Math.max(1, Math.ceil((this.lastRecoveryMs ?? 5000) / 1000)));
  }

  /** Runs one job on the worker. While the worker is being replaced: WorkerRestartingError at once. */
  run<R>(payload: Record<string, unknown>, transfer?: ArrayBuffer[]): Promise<R> {
    if (this.state === 'closed') return Promise.reject(this.opts.startError({ name: 'closed', message: `the ${this.opts.name} is closed`, reason: `the ${this.opts.name} is closed` }));
    if (this.state !== 'ready' || !this.worker) return Promise.reject(new WorkerRestartingError(this.opts.name, this.lastCrash ?? 'starting', this.retryAfter()));
    return this.post<R>(this.worker, payload, transfer);
  }

  private post<R>(worker: Worker, payload: Record<string, unknown>, transfer?: ArrayBuffer[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.ref(); // an answer is owed: keep the process alive until it comes
      worker.postMessage({ ...payload, type: 'run', id }, transfer ?? []);
    });
  }

  /** One worker: resolves with its ready info, rejects when it fails to start. */
  private spawn(fault: Fault | undefined): Promise<I> {
    const generation = ++this.generation;
    const worker = this.opts.start(fault);
    this.worker = worker;
    return new Promise<I>((resolve, reject) => {
      let ready = false;
      const died = (why: string) => {
        if (this.worker !== worker) return; // a worker already given up (closed or replaced)
        this.worker = null;
        if (!ready) {
          reject(this.opts.startError({ name: 'Error', message: why, reason: why }));
          return;
        }
        this.crashed(why);
      };
      worker.on('error', (err) => died(`${err.name === 'Error' ? '' : `${err.name}: `}${err.message}`.slice(0, 300)));
      worker.on('exit', (code) => died(`exited with code ${code}`));
      worker.on('message', (m: FromWorker) => {
        switch (m.type) {
          case 'log':
            this.opts.logger[m.level](m.obj, m.msg);
            return;
          case 'failed':
            this.worker = null;
            void worker.terminate();
            reject(this.opts.startError(m));
            return;
          case 'ready':
            ready = true;
            worker.unref();
            resolve(m.info as I);
            return;
          case 'result': {
            if (generation !== this.generation) return;
            const p = this.pending.get(m.id);
            if (!p) return;
            this.pending.delete(m.id);
            if (this.pending.size === 0) worker.unref(); // an idle worker never keeps the process alive
            if (m.error) p.reject(this.opts.runError(m.error));
            else p.resolve(m.value);
            return;
          }
          case 'closed':
            return;
        }
      });
    });
  }

  /** The worker died: fail what it owed, mark not ready, start its replacement. */
  private crashed(why: string): void {
    this.lastCrashAt = Date.now();
    this.lastCrash = why;
    this.state = 'restarting';
    const err = new WorkerRestartingError(this.opts.name, `its worker thread ${why}`, this.retryAfter());
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    this.opts.logger.warn({ model: this.opts.name, crash: why }, `the ${this.opts.name} worker thread died; starting a replacement`);
    // a replacement already on its way (this crash was its own, during its warm-up) retries by itself
    if (this.replacing) return;
    this.failedStarts = 0;
    void this.replace();
  }

  private async replace(): Promise<void> {
    if (this.state === 'closed') return;
    this.replacing = true;
    this.restarts++;
    const t0 = this.lastCrashAt ?? Date.now();
    try {
      this.info = await this.spawn(undefined); // the fault is injected once: the replacement runs clean
      await this.opts.beforeReady?.();
      if (this.opts.warmup) {
        const worker = this.worker!;
        await this.opts.warmup((payload, transfer) => this.post(worker, payload, transfer), this.info);
      }
      if ((this.state as WorkerState) === 'closed') return;
      this.replacing = false;
      this.state = 'ready';
      this.lastRecoveryMs = Date.now() - t0;
      this.opts.logger.info({ model: this.opts.name, restarts: this.restarts, recoveryMs: this.lastRecoveryMs }, `the ${this.opts.name} worker thread was replaced and is warm`);
    } catch (err) {
      if ((this.state as WorkerState) === 'closed') return;
      const w = this.worker;
      this.worker = null;
      if (w) void w.terminate();
      const pause = Math.min(30_000, 1000 * 2 ** this.failedStarts++);
      this.opts.logger.warn({ model: this.opts.name, err: (err as Error).message, retryInMs: pause }, `the ${this.opts.name} replacement failed to start`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        void this.replace();
      }, pause);
      this.retryTimer.unref();
    }
  }

  /** Releases the session and ends the worker (waits for the run in progress). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closed';
      if (this.retryTimer) clearTimeout(this.retryTimer);
      const worker = this.worker;
      this.worker = null;
      if (!worker) return;
      worker.ref(); // until it has released the session and exited
      await new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'closed') void worker.terminate();
        });
        worker.postMessage({ type: 'close' });
      });
      // whatever was still owed gets an answer
      const err = this.opts.startError({ name: 'closed', message: `the ${this.opts.name} is closed`, reason: `the ${this.opts.name} is closed` });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    })();
    return this.closing;
  }
}
