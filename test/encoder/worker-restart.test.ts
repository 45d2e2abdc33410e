/**
 * A model worker thread that dies is replaced (issue 44), proved by fault injection: LLM_PROVENANCE_FAULT
 * makes the encoder's first worker exit (or throw an uncaught error) when a given batch arrives, mid-batch.
 * The real app on the tiny test encoder: the requests in flight get a retryable 503 (never a hang, never an
 * answer made up), /readyz is not ready until the replacement is warm, /metrics counts the restart, and the
 * replacement answers. The replacement is held not ready by a gate the test opens, so no step depends on
 * how fast this machine starts a worker; nothing here asserts a time.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Detectors, encoderQueueLimits } from '../../src/detectors/index.js';
import { createEmbedder } from '../../src/encoder/index.js';
import { faultFor } from '../../src/encoder/supervisor.js';
import { build, post, testConfig } from '../helpers/build.js';
import { EncoderTextDetector } from '../helpers/doubles.js';

const TINY_ENCODER = fileURLToPath(new URL('../fixtures/tiny-encoder/', import.meta.url));
const words = (n: number, seed = 0) =>
  Array.from({ length: n }, (_, i) => ['the', 'committee', 'reviewed', 'a', 'proposal', 'on', 'Tuesday', 'and', 'asked', 'questions'][(i * 7 + seed) % 10]).join(' ') + '.';

t.test('LLM_PROVENANCE_FAULT names a worker, a fault and the run it happens on', async (t) => {
  t.same(faultFor('encoder', { LLM_PROVENANCE_FAULT: 'encoder-exit:3' }), { kind: 'exit', at: 3 });
  t.same(faultFor('likelihood', { LLM_PROVENANCE_FAULT: 'likelihood-throw:1' }), { kind: 'throw', at: 1 });
  t.equal(faultFor('encoder', { LLM_PROVENANCE_FAULT: 'likelihood-exit:3' }), undefined, 'another worker');
  t.equal(faultFor('encoder', {}), undefined, 'unset: no fault');
  t.equal(faultFor('encoder', { LLM_PROVENANCE_FAULT: 'encoder-explode:3' }), undefined, 'an unknown fault is none');
});

async function faultyApp(t: { teardown(fn: () => unknown): void }, fault: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const env = { REQUEST_TIMEOUT_MS: '60000' };
  // the warm-up runs batches 1 and 2: the fault hits the first batch a request brings
  process.env.LLM_PROVENANCE_FAULT = fault;
  const embedder = await createEmbedder({
    dir: TINY_ENCODER,
    precision: 'fp32',
    device: 'cpu',
    intraOpThreads: 1,
    ...encoderQueueLimits(testConfig(env)),
    beforeReplacementReady: () => gate,
  });
  delete process.env.LLM_PROVENANCE_FAULT;
  const text = new EncoderTextDetector(embedder);
  const app = await build(t, { env, detectors: Detectors.of({ text, embedder }) });
  t.teardown(() => embedder.close());
  return { app, text, embedder, open };
}

// /readyz lists every model (judgments are not loaded here, so it is 503 throughout): the encoder's entry
const encoderState = async (app: Awaited<ReturnType<typeof faultyApp>>['app']) =>
  (await app.inject({ method: 'GET', url: '/readyz' })).json().models.find((m: { name: string }) => m.name === 'encoder') as { state: string; reason?: string };
const metrics = async (app: Awaited<ReturnType<typeof faultyApp>>['app']) => (await app.inject({ method: 'GET', url: '/metrics' })).body;

for (const kind of ['exit', 'throw'] as const) {
  t.test(`the encoder worker ${kind === 'exit' ? 'exits' : 'throws an uncaught error'} mid-batch: 503 to retry, not ready until the replacement is warm, then answers`, async (t) => {
    const { app, embedder, open } = await faultyApp(t, `encoder-${kind}:3`);
    t.equal((await encoderState(app)).state, 'ready', 'ready before the crash');
    t.equal(embedder.health!().restarts, 0);

    // requests in flight together: the first batch kills the worker; none may hang or be answered 200
    const burst = await Promise.all([0, 1, 2, 3].map((i) => post(app, '/v1/text/analyze', { text: words(120, i) })));
    for (const r of burst) {
      t.equal(r.statusCode, 503, 'a retryable 503');
      t.match(r.headers['content-type'], /^application\/problem\+json/);
      t.equal(r.json().type, '/problems/model-restarting');
      t.equal(r.json().model, 'encoder');
      t.ok(Number(r.headers['retry-after']) >= 1, 'with Retry-After');
    }
    // a batch item is not answered one by one either: the whole request is 503
    const batch = await post(app, '/v1/text/analyze/batch', { items: [{ id: 'a', text: words(50) }, { id: 'b', text: words(60, 1) }] });
    t.equal(batch.statusCode, 503);
    t.equal(batch.json().type, '/problems/model-restarting');

    t.equal(embedder.health!().state, 'restarting');
    const encoder = await encoderState(app);
    t.equal(encoder.state, 'loading', '/readyz: not ready while the replacement warms up');
    t.match(encoder.reason, kind === 'exit' ? /exited with code 70/ : /fault injection/);
    t.match(await metrics(app), /^llm_provenance_worker_restarts_total\{model="encoder"\} 1$/m, '/metrics counts the restart');
    t.match(await metrics(app), /^llm_provenance_model_ready\{model="encoder"\} 0$/m);

    open();
    while (embedder.health!().state !== 'ready') await new Promise((r) => setTimeout(r, 20));
    t.equal((await encoderState(app)).state, 'ready', 'ready again once the replacement is warm');
    const m = await metrics(app);
    t.match(m, /^llm_provenance_worker_recovery_seconds\{model="encoder"\} [0-9.e+-]+$/m, 'crash-to-ready time exported');
    t.match(m, /^llm_provenance_worker_last_crash_timestamp_seconds\{model="encoder"\} [0-9.e+-]+$/m);
    const again = await Promise.all([0, 1].map((i) => post(app, '/v1/text/analyze', { text: words(120, i) })));
    for (const r of again) t.equal(r.statusCode, 200, 'the replacement answers');
    t.equal(embedder.health!().restarts, 1, 'one replacement: the fault is injected once');
  });
}
