/**
 * The likelihood model under the same promises as the encoder (issue 44): admitted at the door by its own
 * cost (its tokens, up to LIKELIHOOD_MAX_TOKENS) at its own measured throughput, queued and cancelled on the
 * deadline, answered 504 at the deadline, and its worker thread replaced when it dies (fault injection).
 * No assertion depends on how fast this machine is: throughputs are set, the work in progress is a held
 * ticket, a model that never finishes is a double, and a replacement worker is held not ready by a gate.
 */
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Detectors } from '../../src/detectors/index.js';
import { LikelihoodDetector } from '../../src/detectors/likelihood.js';
import { LikelihoodModel } from '../../src/likelihood/index.js';
import { Admission, AdmissionRefusedError } from '../../src/plugins/admission.js';
import { DeadlineError } from '../../src/detectors/types.js';
import { LONG_TEXT, build, post } from '../helpers/build.js';
import { TestDoubleJudgmentDetector, TestDoubleTextDetector } from '../helpers/doubles.js';

const DIR = fileURLToPath(new URL('../../models/likelihood/', import.meta.url));

t.test('Admission: the likelihood cost has its own line and throughput; the later finish decides', async (t) => {
  const a = new Admission({ enabled: true, maxTokens: 1e9, deadlinePct: 70, priorTokensPerSecond: 1000, now: () => 0 });
  a.useLikelihoodRate(() => 100);
  t.equal(a.likelihoodTokensPerSecond, 100, 'the model\'s measured throughput');
  const held = a.admit(1000, 10_000, 600); // idle: admitted
  t.equal(a.likelihoodOutstanding, 600);
  t.equal(a.likelihoodWaitMs(), 6000);
  // the encoder's line has room (1.5 s), the likelihood's does not: (600 + 257) / 100 = 8.57 s > 7 s
  const err = t.throws(() => a.admit(500, 10_000, 257)) as AdmissionRefusedError;
  t.type(err, AdmissionRefusedError);
  t.equal(err.reason, 'deadline');
  t.equal(err.estimatedWaitMs, 8570);
  t.equal(err.retryAfterSeconds, 2, 'ceil((857 - 700) likelihood tokens / 100 per s)');
  // the same request without the likelihood model fits: each request is held to the lines it uses
  const plain = a.admit(500, 10_000);
  a.release(plain, 'ok');
  // a short text reads fewer tokens: it fits
  const short = a.admit(100, 10_000, 90); // 6.9 s <= 7 s
  t.same([a.counts.likelihoodAdmitted, a.counts.likelihoodRefused], [2, 1]);
  a.release(short, 'ok');
  a.release(held, 'ok');
  t.equal(a.likelihoodOutstanding, 0, 'given back');
  a.useLikelihoodRate(() => 0);
  t.ok(a.likelihoodTokensPerSecond > 0, 'no measurement yet: a prior');
});

let model: LikelihoodModel;
t.before(async () => {
  model = await LikelihoodModel.load({ dir: DIR, maxTokens: 64, intraOpThreads: 1 });
});
t.teardown(async () => model?.close());

t.test('the model: a cost from characters, a measured throughput, and a line that drops cancelled windows', async (t) => {
  t.equal(model.cost(40), 11, '10 estimated tokens + BOS');
  t.equal(model.cost(100_000), 65, 'at most LIKELIHOOD_MAX_TOKENS (64) + BOS');
  t.ok(model.tokensPerSecond > 0, 'measured on the warm-up window');
  const before = { ...model.counts };
  const first = model.score(LONG_TEXT); // runs at once
  const c = new AbortController();
  const second = model.score(`${LONG_TEXT} again`, c.signal); // waits in line behind the first
  t.equal(model.stats().queued, 1, 'the second waits in line');
  c.abort(new DeadlineError());
  await t.rejects(second, DeadlineError, 'cancelled at once with the signal\'s reason');
  t.equal(model.stats().queued, 0, 'and out of the line');
  t.ok((await first).observed.length > 0);
  t.equal(model.counts.windows - before.windows, 1, 'only the first was run');
  t.equal(model.counts.cancelled - before.cancelled, 1);
  t.equal(model.stats().tokens, 0, 'no outstanding tokens left');
});

function app(t: Parameters<typeof build>[0], likelihood: LikelihoodDetector, env: Record<string, string> = {}) {
  return build(t, { env, detectors: Detectors.of({ text: new TestDoubleTextDetector(), judgment: new TestDoubleJudgmentDetector(), likelihood }) });
}
const metric = async (a: Awaited<ReturnType<typeof app>>, re: RegExp) => Number(re.exec((await a.inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? NaN);

t.test('HTTP: a likelihood request is admitted by both models\' work, refused at the door before any', async (t) => {
  const a = await app(t, LikelihoodDetector.of(model), { REQUEST_TIMEOUT_MS: '10000' });
  a.admission.useLikelihoodRate(() => 100);
  // likelihood work in progress: 700 tokens = 7 s at 100 tokens/s, about 70 % of the 10 s deadline
  const held = a.admission.admit(1, 1e9, 700);
  const windows = model.counts.windows;
  const refused = await post(a, '/v1/text/analyze', { text: LONG_TEXT, likelihood: true });
  t.equal(refused.statusCode, 503);
  t.equal(refused.json().type, '/problems/overloaded');
  t.match(refused.headers['content-type'], /^application\/problem\+json/);
  t.equal(refused.headers['retry-after'], '1', 'ceil(the likelihood excess / 100 per s)');
  t.equal(model.counts.windows, windows, 'refused before the model read anything');
  t.equal((await post(a, '/v1/text/analyze', { text: LONG_TEXT })).statusCode, 200, 'the same text without the likelihood model fits');
  const batch = await post(a, '/v1/text/analyze/batch', { items: [{ id: 'a', text: LONG_TEXT }, { id: 'b', text: `${LONG_TEXT} 2` }], likelihood: true });
  t.equal(batch.statusCode, 503, 'a batch is one unit, refused whole');
  t.equal(await metric(a, /^llm_provenance_admission_likelihood_refused_total (\d+)/m), 2);
  t.equal(await metric(a, /^llm_provenance_admission_likelihood_outstanding_tokens (\d+)/m), 700);
  a.admission.release(held, 'error');
  const ok = await post(a, '/v1/text/analyze', { text: LONG_TEXT, likelihood: true });
  t.equal(ok.statusCode, 200, 'admitted once the work in progress is done');
  t.ok(ok.json().likelihood.tokens > 0);
  t.equal(model.counts.windows, windows + 1);
});

/** A likelihood detector whose model never finishes a text: it only stops when its signal fires. */
function neverFinishing(): { detector: LikelihoodDetector; seen: unknown[] } {
  const seen: unknown[] = [];
  const lm = {
    maxTokens: 64,
    tokensPerSecond: 1e6,
    cost: () => 10,
    score: (_text: string, signal?: AbortSignal) =>
      new Promise((_resolve, reject) =>
        signal!.addEventListener('abort', () => {
          seen.push(signal!.reason);
          reject(signal!.reason);
        }),
      ),
    describe: () => ({ id: 'never', version: '0' }),
    config: { id: 'never', version: '0', files: {} },
    close: async () => undefined,
  } as unknown as LikelihoodModel;
  return { detector: LikelihoodDetector.of(lm), seen };
}

t.test('HTTP: at the deadline a likelihood request is answered 504 and its model work is cancelled', async (t) => {
  const { detector, seen } = neverFinishing();
  const a = await app(t, detector, { REQUEST_TIMEOUT_MS: '200' });
  const res = await post(a, '/v1/text/analyze', { text: LONG_TEXT, likelihood: true });
  t.equal(res.statusCode, 504);
  t.equal(res.json().type, '/problems/deadline');
  t.equal(seen.length, 1, 'the model was told to stop');
  t.type(seen[0], DeadlineError, 'by the deadline');
  const batch = await post(a, '/v1/text/analyze/batch', { items: [{ id: 'a', text: LONG_TEXT }, { id: 'b', text: `${LONG_TEXT} 2` }], likelihood: true });
  t.equal(batch.statusCode, 504, 'a batch too');
  t.equal(seen.length, 3, 'each item\'s model work was told to stop');
  t.equal(await metric(a, /^llm_provenance_admission_timed_out_total (\d+)/m), 2);
});

t.test('the likelihood worker exits mid-window: 503 to retry, not ready until the replacement is warm, then answers', async (t) => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  process.env.LLM_PROVENANCE_FAULT = 'likelihood-exit:2'; // run 1 is the warm-up
  const faulty = await LikelihoodModel.load({ dir: DIR, maxTokens: 64, intraOpThreads: 1, beforeReplacementReady: () => gate });
  delete process.env.LLM_PROVENANCE_FAULT;
  t.teardown(() => faulty.close());
  const a = await app(t, LikelihoodDetector.of(faulty));
  const state = async () => (await a.inject({ method: 'GET', url: '/readyz' })).json().models.find((m: { name: string }) => m.name === 'likelihood');
  t.equal((await state()).state, 'ready');
  const crashed = await Promise.all([0, 1].map((i) => post(a, '/v1/text/analyze', { text: `${LONG_TEXT} ${i}`, likelihood: true })));
  for (const r of crashed) {
    t.equal(r.statusCode, 503, 'a retryable 503, never a hang');
    t.equal(r.json().type, '/problems/model-restarting');
    t.equal(r.json().model, 'likelihood');
    t.ok(Number(r.headers['retry-after']) >= 1);
  }
  t.equal((await state()).state, 'loading', '/readyz: not ready while the replacement warms up');
  t.equal((await a.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  t.equal((await post(a, '/v1/text/analyze', { text: LONG_TEXT })).statusCode, 200, 'requests without the likelihood model are still answered');
  t.match((await a.inject({ method: 'GET', url: '/metrics' })).body, /^llm_provenance_worker_restarts_total\{model="likelihood"\} 1$/m);
  open();
  while (faulty.health()!.state !== 'ready') await new Promise((r) => setTimeout(r, 20));
  t.equal((await a.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again');
  const again = await post(a, '/v1/text/analyze', { text: LONG_TEXT, likelihood: true });
  t.equal(again.statusCode, 200, 'the replacement answers');
  t.ok(again.json().likelihood.tokens > 0);
});
