/**
 * Admission control by cost (issue 36): requests are admitted or refused at the door, by the work
 * they bring (estimated encoder tokens of all their passes), before any feature or encoder work.
 * The HTTP tests run the real app (build + inject) on the tiny test encoder (test/fixtures/tiny-encoder)
 * through a detector double that makes three encoder passes per request, as the shipped heads do.
 * No assertion depends on how fast this machine is: the throughput is set with calibrate() and the
 * work in progress is a held ticket, so every admission decision is known in advance.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Admission, AdmissionRefusedError } from '../../src/plugins/admission.js';
import { Detectors, encoderQueueLimits } from '../../src/detectors/index.js';
import { createEmbedder } from '../../src/encoder/index.js';
import { estimateTokens, REQUEST_OVERHEAD_TOKENS } from '../../src/encoder/cost.js';
import { build, post, testConfig } from '../helpers/build.js';
import { EncoderTextDetector } from '../helpers/doubles.js';

const TINY_ENCODER = fileURLToPath(new URL('../fixtures/tiny-encoder/', import.meta.url));

const words = (n: number, seed = 0) =>
  Array.from({ length: n }, (_, i) => ['the', 'committee', 'reviewed', 'a', 'proposal', 'on', 'Tuesday', 'and', 'asked', 'questions'][(i * 7 + seed) % 10]).join(' ') + '.';

// ---------------------------------------------------------------------------------------------------
// the controller alone, on a fake clock

t.test('Admission: the estimate, the deadline rule, the cap and Retry-After', async (t) => {
  let now = 0;
  const a = new Admission({ enabled: true, maxTokens: 50_000, deadlinePct: 70, priorTokensPerSecond: 1000, now: () => now });
  // idle: anything is admitted, even work the estimate says takes longer than the deadline
  const big = a.admit(40_000, 10_000);
  t.equal(a.outstanding, 40_000);
  t.equal(a.waitMs(), 40_000, 'wait = outstanding / throughput');
  a.release(big, 'error');
  t.equal(a.outstanding, 0);

  const held = a.admit(3000, 10_000);
  // by cost, not by count: the same outstanding work admits a small request and refuses a large one
  const small = a.admit(500, 10_000); // (3000 + 500) / 1000 = 3.5 s <= 7 s
  t.equal(a.admittedNow, 2);
  a.release(small, 'error');
  const err = t.throws(() => a.admit(9000, 10_000)) as AdmissionRefusedError; // 12 s > 7 s
  t.type(err, AdmissionRefusedError);
  t.equal(err.reason, 'deadline');
  t.equal(err.estimatedWaitMs, 12_000);
  // the excess (3000 + 9000 - 7000 = 5000 tokens) is more than the work in progress (3000): 3 s
  t.equal(err.retryAfterSeconds, 3);
  const err2 = t.throws(() => a.admit(5500, 10_000)) as AdmissionRefusedError; // 8.5 s > 7 s; excess 1500: 2 s
  t.equal(err2.retryAfterSeconds, 2);
  // less time left (the request waited before it reached the door): refused sooner
  t.equal((t.throws(() => a.admit(500, 4000)) as AdmissionRefusedError).reason, 'deadline', '3.5 s > 70 % of 4 s');
  // the work cap
  const capped = t.throws(() => a.admit(48_000, 1e9)) as AdmissionRefusedError;
  t.equal(capped.reason, 'cap');
  t.equal(capped.retryAfterSeconds, 1, 'excess 1000 tokens at 1000/s');
  t.same({ ...a.counts }, { admitted: 3, refusedDeadline: 3, refusedCap: 1, refusedInFlight: 0, timedOut: 0, completed: 0, likelihoodAdmitted: 0, likelihoodRefused: 0 });
  a.release(held, 'timeout');
  t.equal(a.counts.timedOut, 1);
});

t.test('Admission: throughput is measured from finished work over busy time', async (t) => {
  let now = 0;
  const a = new Admission({ enabled: true, maxTokens: 1e9, deadlinePct: 70, priorTokensPerSecond: 1000, windowMs: 1000, now: () => now });
  a.calibrate(2000);
  t.equal(a.tokensPerSecond, 2000, 'the warm-up prior');
  const x = a.admit(3000, 30_000);
  const y = a.admit(3000, 30_000);
  now = 500;
  a.release(x, 'ok'); // 500 ms of busy time: not a measurement yet
  t.equal(a.tokensPerSecond, 2000);
  now = 1500;
  a.release(y, 'ok'); // 6000 tokens in 1.5 s
  t.equal(a.tokensPerSecond, 4000);
  now = 10_000; // idle time does not count
  const z = a.admit(1000, 30_000);
  now = 11_000;
  a.release(z, 'ok'); // 1000 tokens in 1 s: EWMA 0.7 x 4000 + 0.3 x 1000
  t.equal(Math.round(a.tokensPerSecond), 3100);
  a.calibrate(99);
  t.equal(Math.round(a.tokensPerSecond), 3100, 'a prior never overrides a measurement');
  const timedOut = a.admit(5000, 30_000);
  now = 20_000;
  a.release(timedOut, 'timeout');
  t.equal(Math.round(a.tokensPerSecond), 3100, 'unfinished work is not throughput');
});

t.test('Admission off refuses nothing by cost; work without cost is never refused', async (t) => {
  const off = new Admission({ enabled: false, maxTokens: 1000, deadlinePct: 70 });
  off.admit(5000, 10);
  t.doesNotThrow(() => off.admit(1e9, 10));
  const on = new Admission({ enabled: true, maxTokens: 1000, deadlinePct: 70 });
  on.admit(900, 10_000);
  t.doesNotThrow(() => on.admit(0, 10_000), 'no encoder work: not subject to the encoder estimate');
});

// ---------------------------------------------------------------------------------------------------
// the real app on the tiny encoder

async function tinyApp(t: { teardown(fn: () => unknown): void }, extra: Record<string, string> = {}) {
  const env = { REQUEST_TIMEOUT_MS: '10000', ADMISSION_DEADLINE_PCT: '70', ...extra };
  // the encoder queue as the service wires it (no queue bounds under admission)
  const embedder = await createEmbedder({ dir: TINY_ENCODER, precision: 'fp32', device: 'cpu', intraOpThreads: 1, ...encoderQueueLimits(testConfig(env)) });
  const text = new EncoderTextDetector(embedder);
  const app = await build(t, { env, detectors: Detectors.of({ text, embedder }) });
  t.teardown(() => embedder.close());
  return { app, text, embedder };
}

const metric = async (app: Awaited<ReturnType<typeof tinyApp>>['app'], re: RegExp) =>
  Number(re.exec((await app.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? NaN);

t.test('HTTP: admitted by cost, refused at the door with a Retry-After from the estimate', async (t) => {
  const { app, text } = await tinyApp(t);
  app.admission.calibrate(1000);
  const medium = words(800);
  const cost = text.cost({ text: medium });
  t.equal(cost, REQUEST_OVERHEAD_TOKENS + 3 * estimateTokens(medium.length), 'three passes of estimated tokens');
  // work in progress that leaves 2500 tokens too many for the medium text: budget 70 % of ~10 s = ~7000 tokens
  const held = app.admission.admit(9500 - cost, 1e9);
  const refused = await post(app, '/v1/text/analyze', { text: medium });
  t.equal(refused.statusCode, 503);
  t.equal(refused.headers['retry-after'], '3', 'ceil(2500 tokens / 1000 per s)');
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.equal(refused.json().type, '/problems/overloaded');
  t.equal(text.calls.n, 0, 'refused before any work');
  // the same work in progress admits a short text: cost, not count
  const short = await post(app, '/v1/text/analyze', { text: words(60, 1) });
  t.equal(short.statusCode, 200);
  t.equal(text.calls.n, 1);
  t.equal(text.calls.passes, 3);
  // a batch is one unit: three short items that fit one by one do not fit together
  const item = words(250, 2);
  t.ok((9500 - cost) + text.cost({ text: item }) < 7000 && (9500 - cost) + 3 * text.cost({ text: item }) > 7100, 'the items fit alone, not together');
  const batch = await post(app, '/v1/text/analyze/batch', { items: [1, 2, 3].map((i) => ({ id: `i${i}`, text: item })) });
  t.equal(batch.statusCode, 503, 'the whole batch is refused at once');
  t.equal(text.calls.n, 1, 'no item started');
  t.equal(await metric(app, /^llm_provenance_admission_refused_total\{reason="deadline"\} (\d+)/m), 2);
  t.ok((await metric(app, /^llm_provenance_admission_wait_seconds ([0-9.e+-]+)/m)) > 0, 'the wait estimate is exported');
  // once the work in progress is done, the medium text is admitted
  app.admission.release(held, 'error');
  const later = await post(app, '/v1/text/analyze', { text: medium });
  t.equal(later.statusCode, 200);
  t.equal(await metric(app, /^llm_provenance_admission_admitted_total (\d+)/m), 3, 'held ticket, short, medium');
});

t.test('HTTP: ADMISSION_MAX_TOKENS is a fixed cap on admitted work', async (t) => {
  const { app, text } = await tinyApp(t, { ADMISSION_MAX_TOKENS: '2000' });
  app.admission.calibrate(1e9); // the deadline never binds here
  const held = app.admission.admit(1500, 1e9);
  const res = await post(app, '/v1/text/analyze', { text: words(200) });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '1');
  t.equal(text.calls.n, 0);
  t.equal(await metric(app, /^llm_provenance_admission_refused_total\{reason="cap"\} (\d+)/m), 1);
  app.admission.release(held, 'error');
  t.equal((await post(app, '/v1/text/analyze', { text: words(200) })).statusCode, 200);
});

t.test('HTTP: a flood is answered 200 or refused at the door, never refused half-way', async (t) => {
  // a long deadline: the time the requests wait for their turn at the door barely moves the budget
  const { app, text } = await tinyApp(t, { REQUEST_TIMEOUT_MS: '60000' });
  const body = words(300, 3);
  const cost = text.cost({ text: `${body} 10` });
  // throughput such that the held work plus two of these requests fit in 70 % of the deadline, three do not
  app.admission.calibrate((1000 + 2.5 * cost) / 42);
  const held = app.admission.admit(1000, 1e9);
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => post(app, '/v1/text/analyze', { text: `${body} ${i}` })));
  app.admission.release(held, 'error');
  const ok = results.filter((r) => r.statusCode === 200).length;
  const refused = results.filter((r) => r.statusCode === 503);
  t.equal(ok + refused.length, 40, 'every answer is 200 or 503');
  t.ok(ok >= 2, 'the requests that fit were answered');
  t.ok(refused.length >= 1, 'the rest were refused');
  t.equal(text.calls.n, ok, 'every request that started work finished with 200: none was refused half-way');
  t.equal(text.calls.passes, 3 * ok, 'and every one ran all its passes');
  for (const r of refused) {
    t.equal(r.json().type, '/problems/overloaded');
    t.ok(Number(r.headers['retry-after']) >= 1);
  }
  t.equal(await metric(app, /^llm_provenance_admission_timed_out_total (\d+)/m), 0);
});

t.test('HTTP: /healthz and /metrics are outside admission', async (t) => {
  const { app } = await tinyApp(t, { ADMISSION_MAX_TOKENS: '1000' });
  const held = app.admission.admit(1e6, 1e9);
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  t.equal((await post(app, '/v1/text/analyze', { text: words(100) })).statusCode, 503);
  app.admission.release(held, 'error');
});
