/**
 * /v1/text/analyze/batch over a real socket (app.listen + fetch): only a malformed envelope fails the
 * request; every item-level problem becomes that item's own problem object and the others are answered.
 */
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { LONG_TEXT, build } from '../helpers/build.js';

const OTHER_TEXT =
  'Our allotment flooded twice this spring, so the beans went in late. The neighbours lent us a pump and we ' +
  'dug a trench along the fence. By June the soil had dried out enough to plant, and the first pods came in August.';

async function listening(t: Parameters<typeof build>[0], env: Record<string, string> = {}): Promise<string> {
  const app: FastifyInstance = await build(t, { env });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

async function postJson(base: string, url: string, body: unknown) {
  const res = await fetch(base + url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', json: await res.json() };
}

interface ItemCase {
  name: string;
  /** the bad item, as JSON text (so that invalid Unicode escapes travel as they are) */
  item: string;
  path: string;
  detail: RegExp;
  /** the id its result echoes; undefined: the item had no valid id, so its result has none */
  id?: string;
}

const cases: ItemCase[] = [
  { name: 'an empty text', item: '{"id":"bad","text":""}', path: '/items/1/text', detail: /must not be empty/, id: 'bad' },
  { name: 'a whitespace-only text', item: '{"id":"bad","text":"   \\n\\t  "}', path: '/items/1/text', detail: /no visible text/, id: 'bad' },
  { name: 'an over-long text', item: JSON.stringify({ id: 'bad', text: 'word '.repeat(200) }), path: '/items/1/text', detail: /more than 600 characters/, id: 'bad' },
  { name: 'invalid Unicode (a lone surrogate)', item: '{"id":"bad","text":"broken \\ud800 text"}', path: '/items/1/text', detail: /lone surrogate/, id: 'bad' },
  { name: 'a missing id', item: JSON.stringify({ text: OTHER_TEXT }), path: '/items/1/id', detail: /is required/ },
  { name: 'an empty id', item: JSON.stringify({ id: '', text: OTHER_TEXT }), path: '/items/1/id', detail: /fewer than 1/ },
  { name: 'an id that is not a string', item: JSON.stringify({ id: 7, text: OTHER_TEXT }), path: '/items/1/id', detail: /must be string/ },
  { name: 'a duplicate id', item: JSON.stringify({ id: 'a1', text: OTHER_TEXT }), path: '/items/1/id', detail: /duplicates the id of \/items\/0/, id: 'a1' },
  { name: 'a text that is not a string', item: '{"id":"bad","text":42}', path: '/items/1/text', detail: /must be string/, id: 'bad' },
  { name: 'an item that is not an object', item: '"just a string"', path: '/items/1', detail: /must be object/ },
  { name: 'an item that is null', item: 'null', path: '/items/1', detail: /must be object/ },
  { name: 'an unknown field in an item', item: JSON.stringify({ id: 'bad', text: OTHER_TEXT, lang: 'en' }), path: '/items/1/lang', detail: /not a known field/, id: 'bad' },
];

t.test('a mixed batch answers item by item, over a real socket', async (t) => {
  const base = await listening(t, { MAX_TEXT_CHARS: '600' });
  // what each good text gets alone: a batch must give it the same answer, whatever its neighbours
  const alone = await Promise.all([LONG_TEXT, OTHER_TEXT].map((text) => postJson(base, '/v1/text/analyze', { text, tasks: ['role'] })));
  for (const a of alone) t.equal(a.status, 200);

  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const body = `{"tasks":["role"],"items":[${JSON.stringify({ id: 'a1', text: LONG_TEXT })},${c.item},${JSON.stringify({ id: 'a2', text: OTHER_TEXT })}]}`;
      const res = await postJson(base, '/v1/text/analyze/batch', body);
      t.equal(res.status, 200, 'the request succeeds');
      const results = res.json.results as Record<string, any>[];
      t.equal(results.length, 3, 'one result per item, in order');
      t.equal(results[0].id, 'a1');
      t.equal(results[2].id, 'a2');
      t.same(results[0].role, alone[0].json.role, 'the item before the bad one is answered as it would be alone');
      t.same(results[2].role, alone[1].json.role, 'the item after the bad one is answered as it would be alone');
      t.notOk(results[0].error || results[2].error, 'the good items carry no error');
      const bad = results[1];
      t.equal(bad.id, c.id, c.id === undefined ? 'no valid id: none echoed' : 'its id is echoed');
      t.equal(bad.role, undefined, 'the bad item has no analysis');
      t.equal(bad.error.status, 400);
      t.equal(bad.error.type, '/problems/invalid-input');
      t.equal(bad.error.errors[0].path, c.path, 'the path is relative to the request');
      t.match(bad.error.detail, c.detail);
      t.match(bad.error.instance, /.+/, 'the problem names the request');
    });
  }
});

t.test('a batch whose every item is bad still answers 200, each item with its error', async (t) => {
  const base = await listening(t);
  const res = await postJson(base, '/v1/text/analyze/batch', { items: [{ id: 'x', text: '' }, { id: 'x', text: 'fine words here' }, { text: 3 }] });
  t.equal(res.status, 200);
  const results = res.json.results as Record<string, any>[];
  t.same(results.map((r) => r.id), ['x', 'x', undefined]);
  t.same(results.map((r) => r.error?.errors[0].path), ['/items/0/text', '/items/1/id', '/items/2/id']);
  t.ok(results.every((r) => r.error && !r.role), 'every item answered with its own error');
});

t.test('only a malformed envelope fails the whole batch, as problem+json', async (t) => {
  const base = await listening(t, { MAX_BATCH_ITEMS: '2' });
  const envelopes: [string, unknown, string][] = [
    ['no items', { tasks: ['role'] }, '/items'],
    ['items not an array', { items: 'a text' }, '/items'],
    ['too many items', { items: [1, 2, 3].map((i) => ({ id: `i${i}`, text: OTHER_TEXT })) }, '/items'],
    ['no item at all', { items: [] }, '/items'],
    ['a bad option', { items: [{ id: 'a', text: OTHER_TEXT }], explain: 'yes' }, '/explain'],
    ['an unknown task', { items: [{ id: 'a', text: OTHER_TEXT }], tasks: ['authorship'] }, '/tasks/0'],
  ];
  for (const [name, body, path] of envelopes) {
    const res = await postJson(base, '/v1/text/analyze/batch', body);
    t.equal(res.status, 400, name);
    t.match(res.contentType, /^application\/problem\+json/, `${name}: problem+json`);
    t.equal(res.json.errors[0].path, path, `${name}: names ${path}`);
  }
});
