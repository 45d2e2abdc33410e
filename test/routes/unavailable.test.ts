/**
 * Missing or broken models: every route that needs one answers 503 problem+json naming it, /readyz
 * says why, and nothing fakes an answer. The real loadDetectors() is run against model directories
 * made here (empty, not a directory, a corrupted encoder file, a working test encoder without heads).
 */
import { cpSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { build as buildApp } from '../../src/app.js';
import { LONG_TEXT, build, post, testConfig } from '../helpers/build.js';

const TINY_ENCODER = fileURLToPath(new URL('../fixtures/tiny-encoder/', import.meta.url));
const scores = { helpfulness: 3 };

t.test('with no models every /v1 route answers 503 naming the missing model', async (t) => {
  const app = await build(t, { detectors: 'none' });
  const calls: [string, string, unknown, string][] = [
    ['POST', '/v1/text/analyze', { text: LONG_TEXT }, 'encoder'],
    ['POST', '/v1/text/role', { text: LONG_TEXT }, 'encoder'],
    ['POST', '/v1/text/involvement', { text: LONG_TEXT }, 'encoder'],
    ['POST', '/v1/text/analyze/batch', { items: [{ id: 'a', text: LONG_TEXT }] }, 'encoder'],
    ['POST', '/v1/judgments/detect', { rubric: 'helpsteer2', judgments: [{ scores }] }, 'judgments'],
    ['GET', '/v1/judgments/rubrics', undefined, 'judgments'],
  ];
  for (const [method, url, body, model] of calls) {
    const res = await app.inject({ method: method as 'GET' | 'POST', url, headers: body ? { 'content-type': 'application/json' } : {}, payload: body ? JSON.stringify(body) : undefined });
    t.equal(res.statusCode, 503, url);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const p = res.json();
    t.equal(p.type, '/problems/model-unavailable');
    t.equal(p.model, model, `${url} names ${model}`);
    t.match(p.detail, new RegExp(`model ${model} is not available: not loaded in this test`));
  }
  // input errors are still input errors
  const bad = await post(app, '/v1/text/analyze', { text: '' });
  t.equal(bad.statusCode, 400);
  // and /v1/models still answers, with the reasons
  const models = await app.inject({ method: 'GET', url: '/v1/models' });
  t.equal(models.statusCode, 200);
  t.equal(models.json().ready, false);
});

async function loadFrom(t: Test, modelDir: string, extra: Record<string, string> = {}) {
  const config = { ...testConfig({ MODEL_DIR: modelDir, ...extra }), loadModels: true };
  const app = await buildApp(config, { logger: false });
  t.teardown(() => app.close());
  await app.ready();
  await app.modelsLoaded();
  return app;
}

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'llmp-models-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('an empty MODEL_DIR: /readyz 503 with a reason for each model', async (t) => {
  const app = await loadFrom(t, tempDir(t));
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  const p = res.json();
  t.same(p.models.map((m: { state: string }) => m.state), ['unavailable', 'unavailable', 'unavailable']);
  for (const m of p.models) t.ok(m.reason && m.reason.length > 5, `${m.name}: ${m.reason}`);
  t.match(p.models[1].reason, /needs the encoder/);
  const a = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(a.statusCode, 503);
  t.equal(a.json().model, 'encoder');
});

t.test('MODEL_DIR that is not a directory: not ready, and says so', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  const app = await loadFrom(t, file);
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().models[0].state, 'unavailable');
});

t.test('a corrupted encoder file is refused (sha256), never served', async (t) => {
  const dir = tempDir(t);
  cpSync(TINY_ENCODER, path.join(dir, 'encoder'), { recursive: true });
  const f = path.join(dir, 'encoder', 'model.onnx');
  const bytes = readFileSync(f);
  bytes[bytes.length - 10] ^= 0xff;
  writeFileSync(f, bytes);
  const app = await loadFrom(t, dir);
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  const enc = res.json().models[0];
  t.equal(enc.state, 'unavailable');
  t.match(enc.reason, /sha256|checksum|hash|corrupt/i);
});

t.test('a working encoder without heads: encoder ready, text heads and judgments unavailable', async (t) => {
  const dir = tempDir(t);
  cpSync(TINY_ENCODER, path.join(dir, 'encoder'), { recursive: true });
  const app = await loadFrom(t, dir, { INTRA_OP_THREADS: '1' });
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  const [enc, heads, judgments] = res.json().models;
  t.equal(enc.state, 'ready', enc.reason ?? '');
  t.equal(heads.state, 'unavailable');
  t.equal(judgments.state, 'unavailable');
  const a = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(a.statusCode, 503);
  t.equal(a.json().model, 'text-heads');
  const models = await app.inject({ method: 'GET', url: '/v1/models' });
  const encoder = models.json().models[0];
  t.equal(encoder.id, 'tiny-encoder-test');
  t.equal(encoder.details.dim, 32);
  const m = await app.inject({ method: 'GET', url: '/metrics' });
  t.match(m.body, /llm_provenance_model_ready\{model="encoder"\} 1/);
  t.match(m.body, /llm_provenance_encoder_batches \d+/);
});
