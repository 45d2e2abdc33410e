/**
 * The main thread's end of ./session-worker.ts: an EncoderSession whose run() posts the batch to the
 * worker thread and resolves with its vectors, so inference never blocks the event loop. The worker is
 * supervised (./supervisor.ts): one that dies is replaced, its runs in flight get WorkerRestartingError
 * (503 + Retry-After), and `health()` says whether the encoder is ready meanwhile.
 */
import { EncoderInferenceError, EncoderUnavailableError } from './errors.js';
import type { EncoderSession, SessionLogger, SessionSpec } from './session.js';
import { startModuleWorker, WorkerSupervisor } from './supervisor.js';

export interface SupervisedSession extends EncoderSession {
  readonly supervisor: WorkerSupervisor<{ inputs: string[]; device: 'cpu' | 'cuda' }>;
}

/**
 * `warmup` runs through a replacement before it is marked ready (the first worker is warmed by the
 * embedder, through run()).
 */
export async function openWorkerSession(
  spec: SessionSpec,
  logger: SessionLogger,
  warmup?: (run: (batch: Int32Array[]) => Promise<Float32Array[]>) => Promise<void>,
  beforeReady?: () => Promise<void>,
): Promise<SupervisedSession> {
  const supervisor = new WorkerSupervisor<{ inputs: string[]; device: 'cpu' | 'cuda' }>({
    name: 'encoder',
    start: (fault) => startModuleWorker(new URL(`./session-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url), { ...spec, fault }),
    startError: (m) => (m.name === 'EncoderUnavailableError' && m.reason ? new EncoderUnavailableError(m.reason) : new EncoderUnavailableError(m.reason ?? m.message)),
    runError: (e) => new EncoderInferenceError(e.message.replace(/^encoder inference failed: /, '')),
    warmup: warmup ? (run) => warmup((batch) => run({ batch }) as Promise<Float32Array[]>) : undefined,
    logger,
    beforeReady,
  });
  let info: { inputs: string[]; device: 'cpu' | 'cuda' };
  try {
    info = await supervisor.open();
  } catch (err) {
    if (err instanceof EncoderUnavailableError) throw err;
    throw new EncoderUnavailableError(`the encoder worker thread failed to start: ${(err as Error).message}`);
  }
  return {
    supervisor,
    inputs: info.inputs,
    device: info.device,
    run: (batch, groups) => supervisor.run<Float32Array[]>(groups ? { batch, groups } : { batch }),
    release: () => supervisor.close(),
  };
}
