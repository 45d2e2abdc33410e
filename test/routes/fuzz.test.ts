/**
 * Property-based fuzzing (fast-check) of every route through app.inject: random and adversarial
 * bodies, bytes and content types. Never a 5xx (except 503 naming a missing model), always
 * problem+json for 4xx, and a valid request afterwards still gets the same answer as before.
 * FUZZ_RUNS sets the runs per route (default 400).
 */
import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';
import t from 'tap';
import { LONG_TEXT, build } from '../helpers/build.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const scores = { helpfulness: 3, correctness: 3, coherence: 4, complexity: 2, verbosity: 2 };

interface Route {
  method: 'GET' | 'POST';
  url: string;
  valid?: Record<string, unknown>;
}

const ROUTES: Route[] = [
  { method: 'POST', url: '/v1/text/analyze', valid: { text: LONG_TEXT, segments: true, explain: true } },
  { method: 'POST', url: '/v1/text/role', valid: { text: LONG_TEXT } },
  { method: 'POST', url: '/v1/text/involvement', valid: { text: LONG_TEXT } },
  { method: 'POST', url: '/v1/text/analyze/batch', valid: { items: [{ id: 'a', text: LONG_TEXT }, { id: 'b', text: 'Short.' }] } },
  { method: 'POST', url: '/v1/judgments/detect', valid: { rubric: 'test-rubric', judgments: [{ candidate: { prompt: 'p', response: 'r' }, scores }], explain: true } },
  { method: 'GET', url: '/v1/judgments/rubrics' },
  { method: 'GET', url: '/v1/models' },
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/readyz' },
];

/** 503 is allowed only when it names a missing model (or /readyz says it is not ready). */
/** Strings made to hurt: controls, invisibles, lone surrogates, homoglyphs, RTL overrides, huge code points. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u200b', '\u200d', '\ufeff', '\ud800', '\udfff', 'а', 'о', 'e', ' ', '\u202e', '\u0301', '😀', '\\', '"', '\n'), maxLength: 40 }),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '1e999', '__proto__', 'null', 'true', '{}', '[]', 'x'.repeat(5000)),
);

const nastyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2.5, 0.1, 4, 5),
);

const jsonish: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 4 }), nasty, nastyNumber);

function mutate(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    // a valid body with some fields replaced or added
    fc
      .dictionary(fc.oneof(fc.constantFrom(...keys, 'text', 'items', 'scores', 'rubric', 'judgments', 'tasks'), fc.string({ maxLength: 8 })), jsonish, { maxKeys: 3 })
      .map((d) => ({ ...valid, ...d })),
    // a valid body with one field deleted
    fc.constantFrom(...keys, 'text').map((k) => {
      const c: Record<string, unknown> = { ...valid };
      delete c[k];
      return c;
    }),
    // text fields replaced by nasty strings
    nasty.map((s) => JSON.parse(JSON.stringify(valid).replace(/"text":"[^"]*"/g, `"text":${JSON.stringify(s)}`))),
    // scores replaced by nasty numbers
    fc.array(nastyNumber, { minLength: 5, maxLength: 5 }).map((v) =>
      JSON.parse(JSON.stringify(valid).replace(/"scores":\{[^}]*\}/g, `"scores":${JSON.stringify(Object.fromEntries(Object.keys(scores).map((k, i) => [k, v[i]])))}`)),
    ),
    // anything at all
    fc.jsonValue({ maxDepth: 6 }),
  );
}

function bodyArb(route: Route): fc.Arbitrary<InjectOptions> {
  const base = { method: route.method, url: route.url } as const;
  const valid = route.valid ?? {};
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=latin1', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '') },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.tuple(mutate(valid), contentType).map(([b, ct]) => ({ ...base, method: 'POST' as const, headers: ct ? { 'content-type': ct } : {}, payload: JSON.stringify(b) ?? 'undefined' })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ ...base, method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: Buffer.from(bytes) })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((s) => ({ ...base, method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: s })) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((n) => ({ ...base, method: 'POST' as const, headers: { 'content-type': 'application/json' }, payload: '['.repeat(n) + ']'.repeat(n) })) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH').map((m) => ({ ...base, method: m as 'GET' })) },
  );
}

/** The answer without what legitimately differs between two calls. */
function stable(body: string): unknown {
  const v = JSON.parse(body);
  return JSON.parse(JSON.stringify(v, (k, x) => (k === 'instance' ? undefined : x)));
}

async function checkOne(app: FastifyInstance, req: InjectOptions, allow503Model: boolean, seen: Set<number>): Promise<void> {
  const res = await app.inject(req);
  const s = res.statusCode;
  seen.add(s);
  if (s >= 500) {
    const ok = s === 503 && allow503Model && /^application\/problem\+json/.test(String(res.headers['content-type'])) && ['/problems/model-unavailable', '/problems/not-ready'].includes(res.json().type);
    if (!ok) throw new Error(`${req.method} ${req.url} answered ${s}: ${res.body.slice(0, 300)}`);
  }
  if (s >= 400) {
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`${s} without problem+json: ${res.headers['content-type']}`);
    const p = res.json();
    if (p.status !== s || typeof p.title !== 'string' || typeof p.detail !== 'string' || typeof p.type !== 'string') {
      throw new Error(`malformed problem: ${res.body.slice(0, 300)}`);
    }
  }
}

for (const [label, detectors] of [
  ['with test-double detectors', 'doubles'],
  ['with no models', 'none'],
] as const) {
  t.test(`fuzz every route ${label}`, async (t) => {
    const app = await build(t, { detectors, env: { MAX_TEXT_CHARS: '4000', BODY_LIMIT_BYTES: '65536' } });
    for (const route of ROUTES) {
      const reference = route.valid
        ? await app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(route.valid) })
        : await app.inject({ method: route.method, url: route.url });
      const runs = detectors === 'doubles' ? RUNS : Math.ceil(RUNS / 4);
      const seen = new Set<number>();
      await fc.assert(fc.asyncProperty(bodyArb(route), (req) => checkOne(app, req, detectors === 'none' || route.url === '/readyz', seen)), { numRuns: runs });
      if (route.method === 'POST') {
        // the generator reaches both the validation and the model: otherwise this test would prove little
        t.ok(seen.has(400) && seen.has(415), `${route.url}: fuzzing produced 400 and 415 (${[...seen].sort()})`);
        if (detectors === 'doubles') t.ok(seen.has(200), `${route.url}: some fuzzed bodies were valid and answered 200`);
      }
      const again = route.valid
        ? await app.inject({ method: route.method, url: route.url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(route.valid) })
        : await app.inject({ method: route.method, url: route.url });
      t.equal(again.statusCode, reference.statusCode, `${route.url}: same status after ${runs} fuzzed requests`);
      if (route.url !== '/metrics') t.same(stable(again.body), stable(reference.body), `${route.url}: same answer after fuzzing`);
    }
    const m = await app.inject({ method: 'GET', url: '/metrics' });
    t.equal(m.statusCode, 200);
    t.notMatch(m.body, detectors === 'doubles' ? /route="\/v1[^"]*",status_code="5\d\d"/ : /status_code="50[0-24-9]"/, 'metrics saw no server errors');
  });
}
