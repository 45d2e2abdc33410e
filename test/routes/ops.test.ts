import t from 'tap';
import { Detectors } from '../../src/detectors/index.js';
import { LONG_TEXT, build, doubleDetectors, post } from '../helpers/build.js';

t.test('GET /healthz answers while models are missing', async (t) => {
  const app = await build(t, { detectors: 'none' });
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('GET /readyz is 503 problem+json with a reason per model before the models are ready', async (t) => {
  const loading = new Detectors('loading');
  const app = await build(t, { detectors: loading });
  let res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.ok(res.headers['retry-after']);
  const p = res.json();
  t.equal(p.status, 503);
  t.same(p.models.map((m: { name: string; state: string }) => `${m.name}:${m.state}`), ['encoder:loading', 'text-heads:loading', 'judgments:loading']);
  // while loading, the routes say which model they wait for
  const a = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(a.statusCode, 503);
  t.match(a.json().detail, /model encoder is not available: loading/);

  // a part fails, the others load: still not ready, and the reason is given
  loading.set('encoder', 'ready');
  loading.set('text-heads', 'unavailable', 'heads were trained for encoder abc, loaded encoder is def');
  loading.set('judgments', 'ready');
  res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.match(res.json().detail, /text-heads unavailable: heads were trained for encoder abc/);

  // all ready
  const ready = doubleDetectors();
  loading.text = ready.text;
  loading.judgment = ready.judgment;
  loading.set('text-heads', 'ready');
  res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 200);
  t.equal(res.json().status, 'ready');
});

t.test('GET /v1/models lists each model with its state, and details when loaded', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/v1/models' });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.service.name, 'llm-provenance');
  t.equal(body.ready, true, 'every model the doubles stand for is ready');
  const heads = body.models.find((m: { name: string }) => m.name === 'text-heads');
  t.equal(heads.state, 'ready');
  t.equal(heads.id, 'test-double-text');
  t.same(heads.details, { kind: 'test double', encoder: 'none' });
  const j = body.models.find((m: { name: string }) => m.name === 'judgments');
  t.same(j.details.rubrics.map((r: { id: string }) => r.id), ['test-rubric', 'test-scores']);
});

t.test('GET /metrics: request counts and latency histograms by route and status', async (t) => {
  const app = await build(t);
  await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  await post(app, '/v1/text/analyze', { text: 5 });
  await app.inject({ method: 'GET', url: '/no/such/thing/123' });
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  const m = res.body;
  t.match(m, /http_requests_total\{method="POST",route="\/v1\/text\/analyze",status_code="200"\} 1/);
  t.match(m, /http_requests_total\{method="POST",route="\/v1\/text\/analyze",status_code="400"\} 1/);
  t.match(m, /http_requests_total\{method="GET",route="\(unmatched\)",status_code="404"\} 1/, 'unmatched URLs share one label');
  t.notMatch(m, /no\/such\/thing/);
  t.match(m, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/text\/analyze",status_code="200"\}/);
  t.match(m, /http_request_duration_seconds_count\{method="POST",route="\/v1\/text\/analyze",status_code="200"\} 1/);
  t.match(m, /llm_provenance_model_ready\{model="text-heads"\} 1/);
  t.match(m, /llm_provenance_model_ready\{model="judgments"\} 1/);
  t.match(m, /llm_provenance_requests_in_flight 0/);
  // the count itself: test/features/text.test.ts (this app's text detector is a test double that tags nothing)
  t.match(m, /^llm_provenance_text_feature_model_loads_total \d+$/m, "the tagger's loads are counted");
  t.match(m, /process_resident_memory_bytes/);
});

t.test('x-request-id: a well-formed incoming id is kept, a bad one replaced, always echoed', async (t) => {
  const app = await build(t);
  let res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123.def' } });
  t.equal(res.headers['x-request-id'], 'abc-123.def');
  res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\twith "quotes"' } });
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'x'.repeat(500) } });
  t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/, 'overlong id replaced');
  res = await post(app, '/v1/text/analyze', { text: 1 }, { 'x-request-id': 'trace-42' });
  t.equal(res.headers['x-request-id'], 'trace-42');
  t.equal(res.json().instance, 'trace-42', 'problem instance is the request id');
  res = await app.inject({ method: 'GET', url: '/healthz' });
  const a = res.headers['x-request-id'];
  res = await app.inject({ method: 'GET', url: '/healthz' });
  t.not(res.headers['x-request-id'], a, 'generated ids differ');
});

t.test('request ids appear in the logs; request bodies do not (unless LOG_BODIES)', async (t) => {
  const { build: buildApp } = await import('../../src/app.js');
  const { testConfig } = await import('../helpers/build.js');
  const pino = (await import('pino')).default;
  for (const logBodies of [false, true]) {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
    const app = await buildApp(testConfig(logBodies ? { LOG_BODIES: 'true' } : {}), { detectors: doubleDetectors(), loggerInstance: logger });
    await app.ready();
    await post(app, '/v1/text/analyze', { text: 'SECRET-PATIENT-NOTE about the case' }, { 'x-request-id': 'log-trace-1' });
    await app.close();
    const all = lines.join('');
    t.match(all, /"reqId":"log-trace-1"/, 'request id in the log lines');
    if (logBodies) t.match(all, /SECRET-PATIENT-NOTE/, 'LOG_BODIES=true logs bodies');
    else t.notMatch(all, /SECRET-PATIENT-NOTE/, 'bodies are not logged by default');
  }
});

t.test('security headers (helmet) on every answer; no CORS unless CORS_ORIGIN', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
  t.equal(res.headers['x-content-type-options'], 'nosniff');
  t.match(res.headers['content-security-policy'], /default-src 'self'/);
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN');
  t.equal(res.headers['access-control-allow-origin'], undefined, 'CORS is off by default');
  const pre = await app.inject({ method: 'OPTIONS', url: '/v1/text/analyze', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  t.equal(pre.headers['access-control-allow-origin'], undefined);

  const withCors = await build(t, { env: { CORS_ORIGIN: 'https://app.example' } });
  const ok = await withCors.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://app.example' } });
  t.equal(ok.headers['access-control-allow-origin'], 'https://app.example');
  const other = await withCors.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
  t.equal(other.headers['access-control-allow-origin'], undefined);
});
