/**
 * The main thread's end of ./session-worker.ts: an EncoderSession whose run() posts the batch to the
 * worker thread and resolves with its vectors, so inference never blocks the event loop.
 */
import { Worker } from 'node:worker_threads';
import { EncoderInferenceError, EncoderUnavailableError } from './errors.js';
import type { EncoderSession, SessionLogger, SessionSpec } from './session.js';

// compiled, the worker is session-worker.js next to this file; under tsx (tests, `npm run dev`, the bench)
// it is .ts, and the worker registers tsx's loader before importing it (workers do not inherit it)
function startWorker(spec: SessionSpec): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./session-worker.js', import.meta.url), { workerData: spec });
  const entry = new URL('./session-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: spec });
}

type FromWorker =
  | { type: 'ready'; inputs: string[]; device: 'cpu' | 'cuda' }
  | { type: 'failed'; name: string; message: string; reason?: string }
  | { type: 'log'; level: 'warn' | 'info'; obj: unknown; msg?: string }
  | { type: 'result'; id: number; vectors?: Float32Array[]; error?: { name: string; message: string } }
  | { type: 'closed' };

export function openWorkerSession(spec: SessionSpec, logger: SessionLogger): Promise<EncoderSession> {
  const worker = startWorker(spec);
  const pending = new Map<number, { resolve(v: Float32Array[]): void; reject(e: unknown): void }>();
  let nextId = 0;
  let dead: Error | null = null;
  let closed: (() => void) | null = null;

  const failAll = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  return new Promise((resolve, reject) => {
    let ready = false;
    worker.on('error', (err) => {
      const e = new EncoderInferenceError(`the encoder worker thread failed: ${err.message}`, { cause: err });
      failAll(e);
      if (!ready) reject(new EncoderUnavailableError(`the encoder worker thread failed to start: ${err.message}`));
    });
    worker.on('exit', (code) => {
      if (!dead) failAll(new EncoderInferenceError(`the encoder worker thread exited (code ${code})`));
      closed?.();
    });
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'log':
          logger[m.level](m.obj, m.msg);
          return;
        case 'failed':
          void worker.terminate();
          reject(m.name === 'EncoderUnavailableError' && m.reason ? new EncoderUnavailableError(m.reason) : new EncoderUnavailableError(m.message));
          return;
        case 'ready':
          ready = true;
          worker.unref();
          resolve({
            inputs: m.inputs,
            device: m.device,
            run(batch, groups) {
              if (dead) return Promise.reject(dead);
              return new Promise((res, rej) => {
                const id = nextId++;
                pending.set(id, { resolve: res, reject: rej });
                worker.ref(); // an answer is owed: keep the process alive until it comes
                worker.postMessage(groups ? { type: 'run', id, batch, groups } : { type: 'run', id, batch });
              });
            },
            release() {
              if (dead) return Promise.resolve();
              return new Promise<void>((res) => {
                closed = res;
                worker.ref(); // until it has released the session and exited
                worker.postMessage({ type: 'close' });
              });
            },
          });
          return;
        case 'result': {
          const p = pending.get(m.id);
          if (!p) return;
          pending.delete(m.id);
          if (pending.size === 0) worker.unref(); // an idle worker never keeps the process alive
          if (m.vectors) p.resolve(m.vectors);
          else p.reject(new EncoderInferenceError((m.error?.message ?? 'unknown error').replace(/^encoder inference failed: /, '')));
          return;
        }
        case 'closed':
          dead = new EncoderUnavailableError('the embedder is closed');
          return;
      }
    });
  });
}
