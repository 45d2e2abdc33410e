/**
 * The encoder's onnxruntime session in a worker thread. onnxruntime-node's run() is synchronous under
 * its promise (it blocks the calling thread for the whole inference: ~100 ms for a batch of 8 windows
 * of 256 tokens on 2 CPU cores), so on the main thread every batch would stall HTTP: refusals, /healthz
 * and the start of other requests. Here it blocks only this thread.
 *
 * Protocol: ./supervisor.ts (the main thread's end, through ./worker-session.ts). workerData is a
 * SessionSpec plus `fault`; a run is { type: 'run', id, batch, groups? }, its value the vectors.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSession, type SessionSpec } from './session.js';
import { faultInjector, type Fault } from './supervisor.js';

const port = parentPort!;
const log = (level: 'warn' | 'info') => (obj: unknown, msg?: string) => port.postMessage({ type: 'log', level, obj, msg });
const spec = workerData as SessionSpec & { fault?: Fault };
const fault = faultInjector(spec.fault);

try {
  const session = await openSession(spec, { warn: log('warn'), info: log('info') });
  port.on('message', async (m: { type: 'run'; id: number; batch: Int32Array[]; groups?: (Uint8Array | undefined)[] } | { type: 'close' }) => {
    if (m.type === 'close') {
      await session.release();
      port.postMessage({ type: 'closed' });
      port.close();
      return;
    }
    try {
      fault();
      const vectors = await session.run(m.batch, m.groups);
      port.postMessage({ type: 'result', id: m.id, value: vectors }, vectors.map((v) => v.buffer as ArrayBuffer));
    } catch (err) {
      if ((err as { fault?: boolean }).fault) return; // the injected crash is on its way: no answer
      port.postMessage({ type: 'result', id: m.id, error: { name: (err as Error).name, message: (err as Error).message } });
    }
  });
  port.postMessage({ type: 'ready', info: { inputs: session.inputs, device: session.device } });
} catch (err) {
  port.postMessage({ type: 'failed', name: (err as Error).name, message: (err as Error).message, reason: (err as { reason?: string }).reason });
}
