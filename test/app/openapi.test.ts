/**
 * The committed openapi/openapi.json is what the routes produce (drift test), /openapi.json serves
 * the same document, and a client generated from it (openapi-typescript + openapi-fetch) type-checks
 * and talks to a really listening server.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import t from 'tap';
import { OPENAPI_PATH, generateOpenApi } from '../../scripts/openapi.js';
import { LONG_TEXT, build } from '../helpers/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('openapi/openapi.json matches the routes (run `npm run openapi` after changing a schema)', async (t) => {
  const generated = await generateOpenApi();
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  t.equal(committed, generated, 'openapi/openapi.json is stale: run npm run openapi');
  const doc = JSON.parse(generated);
  t.equal(doc.openapi, '3.1.0');
  for (const p of ['/v1/text/analyze', '/v1/text/role', '/v1/text/involvement', '/v1/text/analyze/batch', '/v1/judgments/detect', '/v1/judgments/rubrics', '/v1/models', '/healthz', '/readyz', '/metrics']) {
    t.ok(doc.paths[p], `documents ${p}`);
  }
  t.equal(doc.paths['/v1/text/analyze'].post.requestBody.content['application/json'].schema.properties.text.maxLength, 100000);
  t.ok(doc.paths['/v1/text/analyze'].post.responses['400'], 'documents the problem responses');
});

t.test('GET /openapi.json serves the same document; /docs serves Swagger UI', async (t) => {
  const app = await build(t, { detectors: 'none' });
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
  const docs = await app.inject({ method: 'GET', url: '/docs' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, /swagger/i);
});

t.test('a client generated from openapi.json type-checks and calls a listening server', async (t) => {
  const dir = path.join(ROOT, 'test-artifacts', 'openapi-client');
  mkdirSync(dir, { recursive: true });
  const ast = await openapiTS(new URL(`file://${OPENAPI_PATH}`));
  writeFileSync(path.join(dir, 'schema.ts'), astToString(ast));
  writeFileSync(
    path.join(dir, 'client.mts'),
    `import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

const client = createClient<paths>({ baseUrl: process.argv[2] });
const analyze = await client.POST('/v1/text/analyze', { body: { text: ${JSON.stringify(LONG_TEXT)}, tasks: ['role'], segments: true } });
const label: 'human_author' | 'llm_creator' | 'llm_polisher' | 'llm_extender' | undefined = analyze.data?.role?.label;
const bad = await client.POST('/v1/text/analyze', {
  // @ts-expect-error the generated types know that text is a string
  body: { text: 12 },
});
const problem: components['schemas']['Problem'] | undefined = bad.error;
const detail: string | undefined = problem?.detail;
const role = await client.POST('/v1/text/role', { body: { text: ${JSON.stringify(LONG_TEXT)} } });
const involvement = await client.POST('/v1/text/involvement', { body: { text: ${JSON.stringify(LONG_TEXT)} } });
const ready = await client.GET('/readyz');
const metrics = await client.GET('/metrics', { parseAs: 'text' });
const rubrics = await client.GET('/v1/judgments/rubrics');
const first = rubrics.data?.rubrics[0];
const detect = first
  ? await client.POST('/v1/judgments/detect', {
      body: { rubric: first.id, judgments: [{ scores: Object.fromEntries(first.dimensions.map((d) => [d.name, d.min])), candidate: { prompt: 'p', response: 'r' } }] },
    })
  : undefined;
const batch = await client.POST('/v1/text/analyze/batch', { body: { items: [{ id: 'good', text: ${JSON.stringify(LONG_TEXT)} }, { id: 'empty', text: '' }], tasks: ['role'] } });
const batchItems = batch.data?.results.map((r) => ({ id: r.id, label: r.role?.label, errorPath: r.error?.errors?.[0]?.path }));
const models = await client.GET('/v1/models');
const health = await client.GET('/healthz');
console.log(JSON.stringify({
  analyze: { status: analyze.response.status, label, segments: analyze.data?.segments?.length, requestId: analyze.response.headers.get('x-request-id') },
  bad: { status: bad.response.status, detail, path: bad.error?.errors?.[0]?.path },
  detect: detect && { status: detect.response.status, k: detect.data?.group.k },
  batch: { status: batch.response.status, items: batchItems },
  models: models.data?.models.map((m) => m.name),
  health: health.data?.status,
  role: { status: role.response.status, label: role.data?.role.label },
  involvement: { status: involvement.response.status, ratio: involvement.data?.involvement.ratio },
  ready: ready.data?.status,
  metrics: { status: metrics.response.status, prometheus: String(metrics.data).includes('# HELP') },
}));
`,
  );

  const tsc = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', path.join(dir, 'client.mts')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  t.equal(tsc.status, 0, `the generated client type-checks\n${tsc.stdout}${tsc.stderr}`);

  const app = await build(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, 'client.mts'), `http://127.0.0.1:${port}`], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0, err);
  const r = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
  t.equal(r.analyze.status, 200);
  t.match(r.analyze.label, /^(human_author|llm_creator|llm_polisher|llm_extender)$/);
  t.ok(r.analyze.segments >= 1);
  t.match(r.analyze.requestId, /.+/);
  t.equal(r.bad.status, 400);
  t.equal(r.bad.path, '/text');
  t.equal(r.detect.status, 200);
  t.equal(r.detect.k, 1);
  t.equal(r.batch.status, 200, 'a batch with one bad item succeeds through the generated client');
  t.equal(r.batch.items[0].id, 'good');
  t.match(r.batch.items[0].label, /^(human_author|llm_creator|llm_polisher|llm_extender)$/);
  t.same(r.batch.items[1], { id: 'empty', errorPath: '/items/1/text' }, 'the bad item carries its own error, typed by the generated client');
  t.same(r.models, ['encoder', 'text-heads', 'judgments']);
  t.equal(r.health, 'ok');
  t.equal(r.role.status, 200);
  t.match(r.role.label, /^(human_author|llm_creator|llm_polisher|llm_extender)$/);
  t.equal(r.involvement.status, 200);
  t.ok(r.involvement.ratio >= 0 && r.involvement.ratio <= 1);
  t.equal(r.ready, 'ready');
  t.same(r.metrics, { status: 200, prometheus: true });
});

t.test('every operation has an operationId; responses refer to named shared schemas', async (t) => {
  const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
  const ids: string[] = [];
  for (const [p, item] of Object.entries<Record<string, { operationId?: string; responses: Record<string, any> }>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      t.match(op.operationId, /^[a-z][A-Za-z]+$/, `${method.toUpperCase()} ${p} has an operationId`);
      ids.push(op.operationId ?? '');
      for (const [status, res] of Object.entries(op.responses)) {
        const schema = res.content?.['application/json']?.schema;
        if (schema && Number(status) >= 400) t.match(schema.$ref, /^#\/components\/schemas\/(Problem|NotReady)$/, `${p} ${status} is a Problem`);
      }
    }
  }
  t.equal(ids.length, 10);
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  for (const name of ['TextAnalysis', 'RoleAnswer', 'Involvement', 'Decision', 'Segment', 'Problem', 'JudgmentDetection', 'BatchResult']) {
    t.ok(doc.components.schemas[name], `components/schemas/${name}`);
  }
  t.equal(doc.paths['/v1/text/analyze'].post.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/TextAnalysis');
  // no anyOf of one-value enums (generators refuse them) and no enum of numbers
  const text = JSON.stringify(doc);
  t.notMatch(text, /"anyOf"/, 'no anyOf');
  t.notMatch(text, /"enum":\s*\[\s*[0-9]/, 'no numeric enum');
});
