/** Every kind of bad input gets the right status and a problem+json body naming what is wrong. */
import t from 'tap';
import { LONG_TEXT, build } from '../helpers/build.js';

interface Case {
  name: string;
  url?: string;
  method?: 'POST' | 'GET' | 'PUT';
  /** a string or Buffer is sent as is */
  body?: unknown;
  contentType?: string | null;
  env?: Record<string, string>;
  status: number;
  path?: string;
  detail?: RegExp;
}

const deep = '{"text":"x","segments":' + '['.repeat(40) + ']'.repeat(40) + '}';

const cases: Case[] = [
  { name: 'text of the wrong type', body: { text: 42 }, status: 400, path: '/text', detail: /string/ },
  { name: 'missing text', body: { tasks: ['role'] }, status: 400, path: '/text', detail: /required/ },
  { name: 'empty text', body: { text: '' }, status: 400, path: '/text', detail: /fewer than 1/ },
  { name: 'text over the limit', env: { MAX_TEXT_CHARS: '100' }, body: { text: 'a'.repeat(101) }, status: 400, path: '/text', detail: /more than 100/ },
  { name: 'text with a lone surrogate', body: '{"text":"abc \\ud83d def"}', status: 400, path: '/text', detail: /lone surrogate/ },
  { name: 'text of only invisible and control characters', body: { text: '\u200b\u0000\u200d' }, status: 400, path: '/text', detail: /no visible text/ },
  { name: 'invalid UTF-8 bytes', body: Buffer.concat([Buffer.from('{"text":"abc '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), status: 400, detail: /UTF-8/ },
  { name: 'malformed JSON', body: '{"text": "abc",', status: 400, detail: /not valid JSON/ },
  { name: 'empty body', body: '', status: 400, detail: /empty/ },
  { name: 'JSON that is not an object', body: '[1,2,3]', status: 400, path: '/', detail: /object/ },
  { name: 'JSON null', body: 'null', status: 400, path: '/', detail: /object/ },
  { name: 'wrong content type (text/plain)', body: 'hello', contentType: 'text/plain', status: 415, detail: /application\/json/ },
  { name: 'form content type', body: 'text=hello', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'no content type at all', body: '{"text":"hello"}', contentType: null, status: 415 },
  { name: 'JSON in a charset other than UTF-8', body: '{"text":"hello"}', contentType: 'application/json; charset=latin1', status: 415, detail: /charset/ },
  { name: 'body over BODY_LIMIT_BYTES', env: { BODY_LIMIT_BYTES: '2048' }, body: { text: 'a'.repeat(3000) }, status: 413, detail: /larger than the limit/ },
  { name: 'JSON nested too deeply', body: deep, status: 400, detail: /deeper than 32/ },
  { name: 'unknown field', body: { text: 'hello', temperature: 0.7 }, status: 400, path: '/temperature', detail: /not a known field/ },
  { name: 'unknown task', body: { text: 'hello', tasks: ['role', 'authorship'] }, status: 400, path: '/tasks/1' },
  { name: 'duplicate tasks', body: { text: 'hello', tasks: ['role', 'role'] }, status: 400, path: '/tasks', detail: /duplicate/ },
  { name: 'boolean given as a string', body: { text: 'hello', segments: 'true' }, status: 400, path: '/segments', detail: /boolean/ },
  { name: '__proto__ key (prototype pollution)', body: '{"text":"hello","__proto__":{"polluted":true}}', status: 400, path: '/__proto__' },
  { name: 'overflowing number', body: '{"text":"hello","segments":1e999}', status: 400, path: '/segments', detail: /finite/ },
  { name: 'batch with too many items', url: '/v1/text/analyze/batch', env: { MAX_BATCH_ITEMS: '2' }, body: { items: [1, 2, 3].map((i) => ({ id: `i${i}`, text: 'x' })) }, status: 400, path: '/items', detail: /more than 2/ },
  { name: 'batch without items', url: '/v1/text/analyze/batch', body: { tasks: ['role'] }, status: 400, path: '/items', detail: /required/ },
  { name: 'batch items that are not an array', url: '/v1/text/analyze/batch', body: { items: { id: 'a', text: 'x' } }, status: 400, path: '/items', detail: /array/ },
  { name: 'batch with a bad option', url: '/v1/text/analyze/batch', body: { items: [{ id: 'a', text: 'x' }], segments: 'yes' }, status: 400, path: '/segments', detail: /boolean/ },
  { name: 'batch with an unknown top-level field', url: '/v1/text/analyze/batch', body: { items: [{ id: 'a', text: 'x' }], priority: 1 }, status: 400, path: '/priority', detail: /not a known field/ },
  { name: 'empty batch', url: '/v1/text/analyze/batch', body: { items: [] }, status: 400, path: '/items' },
  { name: 'role route with a number for text', url: '/v1/text/role', body: { text: 1e3 }, status: 400, path: '/text' },
  { name: 'involvement route with an unknown field', url: '/v1/text/involvement', body: { text: 'x', explainn: true }, status: 400, path: '/explainn' },
  { name: 'false-positive rate not offered', body: { text: 'hello', max_false_positive_rate: 0.2 }, status: 400, path: '/max_false_positive_rate' },
  { name: 'false-positive rate as a string', body: { text: 'hello', max_false_positive_rate: '0.05' }, status: 400, path: '/max_false_positive_rate' },
  { name: 'unknown route', url: '/v1/text/summarise', body: { text: LONG_TEXT }, status: 404 },
  { name: 'wrong method', url: '/v1/text/analyze', method: 'GET', status: 404 },
];

for (const c of cases) {
  t.test(`${c.status}: ${c.name}`, async (t) => {
    const app = await build(t, { env: c.env });
    const headers: Record<string, string> = {};
    if (c.contentType !== null && c.body !== undefined) headers['content-type'] = c.contentType ?? 'application/json';
    const payload = c.body === undefined ? undefined : typeof c.body === 'string' || Buffer.isBuffer(c.body) ? c.body : JSON.stringify(c.body);
    const res = await app.inject({ method: c.method ?? 'POST', url: c.url ?? '/v1/text/analyze', headers, payload: payload as string | Buffer | undefined });
    t.equal(res.statusCode, c.status, res.body);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const p = res.json();
    t.equal(p.status, c.status);
    t.type(p.type, 'string');
    t.type(p.title, 'string');
    t.type(p.detail, 'string');
    t.equal(p.instance, res.headers['x-request-id'], 'instance is the request id');
    t.notMatch(res.body, /\bat [\w.<>]+ \(|node_modules|\.ts:\d+/, 'no stack trace');
    if (c.path !== undefined) t.equal(p.errors?.[0]?.path, c.path);
    if (c.detail) t.match(p.detail + ' ' + JSON.stringify(p.errors ?? []), c.detail);
  });
}
