/**
 * The likelihood model's onnxruntime session in a worker thread: onnxruntime-node's run() blocks the thread
 * that calls it for the whole inference (about 0.8 s for a window of 256 tokens on 2 CPU cores), which on
 * the main thread would stall HTTP: refusals at the door, /healthz, deadlines and every other request.
 *
 * Protocol: src/encoder/supervisor.ts. workerData: { path, intraOpThreads?, fault? }; a run is
 * { type: 'run', id, window: number[] }, its value { stats: Float32Array (4 numbers per next token), ms }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { faultInjector, type Fault } from '../encoder/supervisor.js';

const port = parentPort!;
const spec = workerData as { path: string; intraOpThreads?: number; fault?: Fault };
const fault = faultInjector(spec.fault);

try {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(spec.path, {
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      ...(spec.intraOpThreads ? { intraOpNumThreads: spec.intraOpThreads } : {}),
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    });
  } catch (err) {
    throw Object.assign(new Error((err as Error).message.split('\n')[0]), { name: 'LikelihoodLoadError' });
  }
  port.on('message', async (m: { type: 'run'; id: number; window: number[] } | { type: 'close' }) => {
    if (m.type === 'close') {
      await session.release();
      port.postMessage({ type: 'closed' });
      port.close();
      return;
    }
    try {
      fault();
      const len = m.window.length;
      const t0 = performance.now();
      const out = await session.run({
        input_ids: new ort.Tensor('int64', BigInt64Array.from(m.window, (v) => BigInt(v)), [1, len]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(len).fill(1n), [1, len]),
      });
      const stats = Float32Array.from(out.token_stats.data as Float32Array);
      out.token_stats.dispose();
      port.postMessage({ type: 'result', id: m.id, value: { stats, ms: performance.now() - t0 } }, [stats.buffer as ArrayBuffer]);
    } catch (err) {
      if ((err as { fault?: boolean }).fault) return; // the injected crash is on its way: no answer
      port.postMessage({ type: 'result', id: m.id, error: { name: (err as Error).name, message: (err as Error).message.split('\n')[0] } });
    }
  });
  port.postMessage({ type: 'ready', info: {} });
} catch (err) {
  port.postMessage({ type: 'failed', name: (err as Error).name, message: (err as Error).message });
}
