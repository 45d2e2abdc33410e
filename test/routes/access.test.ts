import t from 'tap';
import { matchKey } from '../../src/plugins/security.js';
import { createHash } from 'node:crypto';
import { LONG_TEXT, build, post } from '../helpers/build.js';

const KEY_A = 'key-aaaaaaaaaaaaaaaaaaaaaaaa';
const KEY_B = 'key-bbbbbbbbbbbbbbbbbbbbbbbb';

t.test('without API_KEYS the API is open', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(res.statusCode, 200);
});

t.test('with API_KEYS, /v1 needs a valid key (x-api-key or Bearer); ops endpoints stay open', async (t) => {
  const app = await build(t, { env: { API_KEYS: `${KEY_A}, ${KEY_B}` } });
  let res = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(res.statusCode, 401);
  t.match(res.headers['content-type'], /^application\/problem\+json/);
  t.match(res.headers['www-authenticate'], /^Bearer/);
  t.match(res.json().detail, /needs an API key/);

  res = await post(app, '/v1/text/analyze', { text: LONG_TEXT }, { 'x-api-key': `${KEY_A}x` });
  t.equal(res.statusCode, 401);
  t.match(res.json().detail, /not valid/);
  res = await post(app, '/v1/text/analyze', { text: LONG_TEXT }, { 'x-api-key': KEY_A.slice(0, -1) });
  t.equal(res.statusCode, 401, 'a prefix of a key is not a key');
  res = await post(app, '/v1/text/analyze', { text: LONG_TEXT }, { authorization: `Basic ${KEY_A}` });
  t.equal(res.statusCode, 401, 'only the Bearer scheme');

  res = await post(app, '/v1/text/analyze', { text: LONG_TEXT }, { 'x-api-key': KEY_A });
  t.equal(res.statusCode, 200);
  res = await post(app, '/v1/text/analyze', { text: LONG_TEXT }, { authorization: `Bearer ${KEY_B}` });
  t.equal(res.statusCode, 200);
  res = await app.inject({ method: 'GET', url: '/v1/models' });
  t.equal(res.statusCode, 401, '/v1/models is part of the API');

  for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
    res = await app.inject({ method: 'GET', url });
    t.not(res.statusCode, 401, `${url} stays open`);
  }
});

t.test('the key check compares every key whatever matched (constant-time helper)', async (t) => {
  const digests = [KEY_A, KEY_B].map((k) => createHash('sha256').update(k).digest());
  t.equal(matchKey(KEY_A, digests), 0);
  t.equal(matchKey(KEY_B, digests), 1);
  t.equal(matchKey('', digests), -1);
  t.equal(matchKey(KEY_A.toUpperCase(), digests), -1);
});

t.test('rate limits are per API key: one client running out does not block another', async (t) => {
  const app = await build(t, { env: { API_KEYS: `${KEY_A},${KEY_B}`, RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '60000' } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await post(app, '/v1/text/role', { text: LONG_TEXT }, { 'x-api-key': KEY_A })).statusCode);
  t.same(statuses, [200, 200, 200, 429, 429]);
  const limited = await post(app, '/v1/text/role', { text: LONG_TEXT }, { 'x-api-key': KEY_A });
  t.equal(limited.statusCode, 429);
  t.match(limited.headers['content-type'], /^application\/problem\+json/);
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After');
  t.equal(limited.json().status, 429);
  const other = await post(app, '/v1/text/role', { text: LONG_TEXT }, { authorization: `Bearer ${KEY_B}` });
  t.equal(other.statusCode, 200, 'the other key still has its budget');
  t.equal(other.headers['x-ratelimit-limit'], '3');
  const ops = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(ops.statusCode, 200, 'ops endpoints are not rate limited');
});

t.test('without keys, rate limits are per client address', async (t) => {
  const app = await build(t, { env: { RATE_LIMIT_MAX: '2' } });
  const a = [];
  for (let i = 0; i < 3; i++) a.push((await post(app, '/v1/text/role', { text: LONG_TEXT }, {}, )).statusCode);
  t.same(a, [200, 200, 429]);
  const fromElsewhere = await app.inject({ method: 'POST', url: '/v1/text/role', remoteAddress: '10.9.8.7', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ text: LONG_TEXT }) });
  t.equal(fromElsewhere.statusCode, 200);
});

t.test('with the default configuration, one client sending back to back is never refused for its rate', async (t) => {
  // a moderation pipeline is one address sending as fast as the service answers; capacity is protected by
  // the queue (503 + Retry-After), not by a per-client rate limit (text-embeddings-inference and Triton have none)
  const app = await build(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/text/role`;
  const statuses = new Map<number, number>();
  let limitHeaders = 0;
  for (let i = 0; i < 1200; i++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `${LONG_TEXT} ${i}` }) });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.headers.has('x-ratelimit-limit')) limitHeaders++;
  }
  t.same(Object.fromEntries(statuses), { 200: 1200 }, '1,200 back-to-back requests: all answered 200, none 429');
  t.equal(limitHeaders, 0, 'no rate-limit headers: no limit is in force');
});
