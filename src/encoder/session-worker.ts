/**
 * The encoder's onnxruntime session in a worker thread. onnxruntime-node's run() is synchronous under
 * its promise (it blocks the calling thread for the whole inference: ~100 ms for a batch of 8 windows
 * of 256 tokens on 2 CPU cores), so on the main thread every batch would stall HTTP: refusals, /healthz
 * and the start of other requests. Here it blocks only this thread.
 *
 * Protocol (./worker-session.ts is the other end): workerData is a SessionSpec; the worker answers
 * { type: 'ready', inputs, device } or { type: 'failed', message }, then for each
 * { type: 'run', id, batch, groups? } a { type: 'result', id, vectors } or { type: 'result', id, error };
 * log lines travel as { type: 'log', level, obj, msg }; { type: 'close' } releases the session.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSession, type SessionSpec } from './session.js';

const port = parentPort!;
const log = (level: 'warn' | 'info') => (obj: unknown, msg?: string) => port.postMessage({ type: 'log', level, obj, msg });

try {
  const session = await openSession(workerData as SessionSpec, { warn: log('warn'), info: log('info') });
  port.on('message', async (m: { type: 'run'; id: number; batch: Int32Array[]; groups?: (Uint8Array | undefined)[] } | { type: 'close' }) => {
    if (m.type === 'close') {
      await session.release();
      port.postMessage({ type: 'closed' });
      port.close();
      return;
    }
    try {
      const vectors = await session.run(m.batch, m.groups);
      port.postMessage({ type: 'result', id: m.id, vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (err) {
      port.postMessage({ type: 'result', id: m.id, error: { name: (err as Error).name, message: (err as Error).message } });
    }
  });
  port.postMessage({ type: 'ready', inputs: session.inputs, device: session.device });
} catch (err) {
  port.postMessage({ type: 'failed', name: (err as Error).name, message: (err as Error).message, reason: (err as { reason?: string }).reason });
}
