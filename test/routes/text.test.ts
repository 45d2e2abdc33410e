import t from 'tap';
import { ROLES } from '../../src/detectors/types.js';
import { LONG_TEXT, build, post } from '../helpers/build.js';

t.test('POST /v1/text/analyze answers role and involvement by default', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/analyze', { text: LONG_TEXT });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json();
  t.same(body.model, { id: 'test-double-text', version: '0.0.0-test' });
  t.same(Object.keys(body.role.probabilities).sort(), [...ROLES].sort());
  const sum = Object.values(body.role.probabilities as Record<string, number>).reduce((a, b) => a + b, 0);
  t.ok(Math.abs(sum - 1) < 1e-9, 'probabilities sum to 1');
  t.ok(Math.abs(body.ai_probability - (1 - body.role.probabilities.human_author)) < 1e-9, 'ai_probability = 1 - P(human_author)');
  t.equal(body.involvement.interval.length, 2);
  t.equal(body.segments, undefined, 'no segments unless asked');
  t.equal(body.explanation, undefined, 'no explanation unless asked');
  t.ok(Array.isArray(body.warnings));
  t.same(Object.keys(body.usage).sort(), ['characters', 'tokens', 'windows']);
});

t.test('tasks selects the parts; segments and explanation when asked', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/analyze', { text: LONG_TEXT, tasks: ['involvement'], segments: true, explain: true });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.role, undefined);
  t.equal(body.ai_probability, undefined);
  t.ok(body.involvement);
  t.ok(body.segments.length >= 2);
  t.equal(body.segments[0].start, 0);
  t.equal(body.segments.at(-1).end, LONG_TEXT.length, 'segments cover the text');
  for (let i = 1; i < body.segments.length; i++) t.equal(body.segments[i].start, body.segments[i - 1].end, 'in order, contiguous');
  t.equal(body.explanation[0].feature, 'mean_word_length');
});

t.test('segments are given in the caller\'s offsets even when normalisation removed characters', async (t) => {
  const app = await build(t);
  const text = 'Zero\u200bwidth here. Second\u0000 sentence.';
  const res = await post(app, '/v1/text/analyze', { text, segments: true });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.segments.at(-1).end, text.length);
  t.equal(text.slice(body.segments[1].start, body.segments[1].end), 'Second\u0000 sentence.');
  t.ok(body.warnings.some((w: string) => /zero-width/.test(w)), 'zero-width warning');
  t.ok(body.warnings.some((w: string) => /control character/.test(w)), 'control character warning');
});

t.test('homoglyph mix is reported as a possible evasion attempt', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/analyze', { text: 'This pаper is written by а humаn being, honestly.' });
  t.equal(res.statusCode, 200);
  t.ok(res.json().warnings.some((w: string) => /homoglyph/.test(w)));
});

t.test('POST /v1/text/role returns only the role part', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/role', { text: LONG_TEXT, tasks: ['involvement'] });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.ok(body.role);
  t.type(body.ai_probability, 'number');
  t.equal(body.involvement, undefined);
  t.ok(body.model && body.warnings && body.usage);
});

t.test('POST /v1/text/involvement returns only the involvement part', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/text/involvement', { text: LONG_TEXT });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.ok(body.involvement);
  t.equal(body.role, undefined);
  t.ok(body.involvement.interval[0] <= body.involvement.ratio && body.involvement.ratio <= body.involvement.interval[1]);
});

t.test('POST /v1/text/analyze/batch keeps order and gives a bad item its own error', async (t) => {
  const app = await build(t, { env: { MAX_TEXT_CHARS: '500' } });
  const res = await post(app, '/v1/text/analyze/batch', {
    items: [
      { id: 'a1', text: LONG_TEXT },
      { id: 'empty', text: '' },
      { id: 'surrogate', text: 'broken \ud800 text' },
      { id: 'long', text: 'x'.repeat(501) },
      { id: 'invisible', text: '\u200b\u200b' },
      { id: 'a2', text: 'Short one.' },
    ],
    tasks: ['role'],
  });
  t.equal(res.statusCode, 200);
  const { results } = res.json();
  t.same(results.map((r: { id: string }) => r.id), ['a1', 'empty', 'surrogate', 'long', 'invisible', 'a2']);
  t.ok(results[0].role && !results[0].error);
  t.equal(results[0].involvement, undefined);
  t.ok(results[5].role);
  for (const [i, r] of results.slice(1, 5).entries()) {
    t.equal(r.error.status, 400);
    t.equal(r.error.errors[0].path, `/items/${i + 1}/text`);
    t.equal(r.role, undefined);
  }
});

t.test('batch: an item the detector rejects gets its own error, the others still answer', async (t) => {
  const { InputError } = await import('../../src/detectors/types.js');
  const app = await build(t, { doubles: { failOn: { marker: 'REJECT', error: () => new InputError('cannot be analysed', '/text') } } });
  const res = await post(app, '/v1/text/analyze/batch', { items: [{ id: 'x', text: 'please REJECT me' }, { id: 'y', text: LONG_TEXT }] });
  t.equal(res.statusCode, 200);
  const { results } = res.json();
  t.equal(results[0].error.status, 400);
  t.equal(results[0].error.errors[0].path, '/items/0/text');
  t.ok(results[1].role);
});
