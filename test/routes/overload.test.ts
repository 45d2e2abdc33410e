/** Bounded work: beyond MAX_IN_FLIGHT requests are refused at once (503 + Retry-After); deadlines answer 504. */
import t from 'tap';
import { OverloadedError } from '../../src/detectors/types.js';
import { Detectors } from '../../src/detectors/index.js';
import { LONG_TEXT, build, post } from '../helpers/build.js';
import { TestDoubleTextDetector } from '../helpers/doubles.js';

t.test('a flood beyond capacity: accepted requests complete, the rest are refused at once', async (t) => {
  const calls = { n: 0, aborted: 0 };
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const app = await build(t, { env: { MAX_IN_FLIGHT: '4' }, doubles: { gate, calls } });
  let answered = 0;
  const pending = Array.from({ length: 40 }, (_, i) =>
    post(app, '/v1/text/analyze', { text: `${LONG_TEXT} ${i}` }).then((r) => {
      answered++;
      return r;
    }),
  );
  // the accepted work is blocked on the gate: the refusals must all come back while it is
  while (answered < 36) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 50));
  t.equal(answered, 36, 'exactly 36 answered while the 4 accepted requests were still working');
  t.equal(calls.n, 4, 'refused requests never reached the detector');
  const m1 = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(m1.body, /llm_provenance_requests_in_flight 4/);
  t.match(m1.body, /llm_provenance_admission_refused_total\{reason="in_flight"\} 36/);
  release();
  const results = await Promise.all(pending);
  const ok = results.filter((r) => r.statusCode === 200);
  const refused = results.filter((r) => r.statusCode === 503);
  t.equal(ok.length, 4, 'the accepted requests completed');
  t.equal(refused.length, 36);
  for (const r of refused) {
    t.equal(r.headers['retry-after'], '1');
    t.match(r.headers['content-type'], /^application\/problem\+json/);
    t.equal(r.json().type, '/problems/overloaded');
  }
  // capacity is given back
  const after = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(after.statusCode, 200);
  const m = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(m.body, /llm_provenance_requests_in_flight 0/);
});

t.test('an OverloadedError from the model queue is 503 with its Retry-After', async (t) => {
  const app = await build(t, { doubles: { failOn: { marker: 'BUSY', error: () => new OverloadedError(7) } } });
  const res = await post(app, '/v1/text/analyze', { text: 'BUSY now' });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '7');
  // and the encoder's own look-alike error class is mapped the same way
  class EncoderOverloadedError extends Error {
    name = 'EncoderOverloadedError';
    retryAfterSeconds = 3;
  }
  const app2 = await build(t, { doubles: { failOn: { marker: 'BUSY', error: () => new EncoderOverloadedError('full') } } });
  const res2 = await post(app2, '/v1/text/analyze', { text: 'BUSY now' });
  t.equal(res2.statusCode, 503);
  t.equal(res2.headers['retry-after'], '3');
});

t.test('REQUEST_TIMEOUT_MS: the work is cancelled through its AbortSignal and the answer is 504', async (t) => {
  const calls = { n: 0, aborted: 0 };
  // the work never finishes on its own: only the deadline can end the request
  const app = await build(t, { env: { REQUEST_TIMEOUT_MS: '100' }, doubles: { gate: new Promise<void>(() => {}), calls } });
  const res = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(res.statusCode, 504);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.json().detail, /deadline of 100 ms/);
  t.equal(calls.aborted, 1, 'the detector saw the abort');
  const batch = await post(app, '/v1/text/analyze/batch', { items: [{ id: 'a', text: LONG_TEXT }, { id: 'b', text: LONG_TEXT }] });
  t.equal(batch.statusCode, 504, 'a batch past its deadline is one 504, not per-item errors');
});

t.test('an answer ready only after the deadline (the event loop was too busy for the timer) is a 504, not a late 200', async (t) => {
  // a detector that holds the event loop past the deadline, then answers: its timer cannot fire first
  class Hog extends TestDoubleTextDetector {
    override async analyze(req: Parameters<TestDoubleTextDetector['analyze']>[0]) {
      const until = performance.now() + 300;
      while (performance.now() < until);
      return super.analyze(req);
    }
  }
  const app = await build(t, { env: { REQUEST_TIMEOUT_MS: '100' }, detectors: Detectors.of({ text: new Hog() }) });
  const res = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(res.statusCode, 504);
  t.equal(res.json().type, '/problems/deadline');
  t.match((await app.inject({ method: 'GET', url: '/metrics' })).body, /^llm_provenance_admission_timed_out_total 1$/m);
});

t.test('an unexpected detector error is a 500 problem without internals', async (t) => {
  const app = await build(t, { doubles: { failOn: { marker: 'CRASH', error: () => new TypeError('cannot read properties of undefined (reading "weights") at /srv/secret/path.ts:12') } } });
  const res = await post(app, '/v1/text/analyze', { text: 'CRASH please' });
  t.equal(res.statusCode, 500);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.notMatch(res.body, /weights|secret|path\.ts/);
  t.match(res.json().detail, /request id/);
  const ok = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(ok.statusCode, 200, 'the service keeps answering');
});


t.test('an inference error is a 500 that says the model failed, logged, with no internals', async (t) => {
  class EncoderInferenceError extends Error {
    name = 'EncoderInferenceError';
  }
  const app = await build(t, { doubles: { failOn: { marker: 'ORT', error: () => new EncoderInferenceError('encoder inference failed: Non-zero status code returned while running MatMul node /layer.0/MatMul') } } });
  const res = await post(app, '/v1/text/analyze', { text: 'ORT failure' });
  t.equal(res.statusCode, 500);
  t.equal(res.json().type, '/problems/inference-failed');
  t.notMatch(res.body, /MatMul|status code/);
  const batch = await post(app, '/v1/text/analyze/batch', { items: [{ id: 'bad', text: 'ORT failure' }, { id: 'good', text: LONG_TEXT }] });
  t.equal(batch.statusCode, 200);
  t.equal(batch.json().results[0].error.type, '/problems/inference-failed');
  t.ok(batch.json().results[1].role, 'the other item is answered');
});
