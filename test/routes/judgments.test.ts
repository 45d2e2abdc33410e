import t from 'tap';
import { build, post } from '../helpers/build.js';

const scores = { helpfulness: 3, correctness: 3, coherence: 4, complexity: 2, verbosity: 2 };

t.test('POST /v1/judgments/detect answers per judgment and for the group', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/judgments/detect', {
    rubric: 'test-rubric',
    judgments: [
      { candidate: { prompt: 'What is 2+2?', response: 'It is 4.' }, scores },
      { candidate: { prompt: 'Name a colour.', response: 'Blue.' }, scores: { ...scores, verbosity: 0 } },
    ],
    explain: true,
  });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.rubric, 'test-rubric');
  t.same(body.model, { id: 'test-double-judgment-test-rubric', version: '0.0.0-test' });
  t.equal(body.judgments.length, 2);
  for (const j of body.judgments) {
    t.ok(j.llm_probability >= 0 && j.llm_probability <= 1);
    t.equal(j.label, j.llm_probability >= 0.5 ? 'llm' : 'human');
  }
  t.equal(body.group.k, 2);
  t.ok(Array.isArray(body.explanation));
  t.same(body.warnings, []);
});

t.test('explanation only when asked; candidate texts are normalised with warnings', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/judgments/detect', {
    rubric: 'test-rubric',
    judgments: [{ candidate: { prompt: 'Hi\u200b there', response: 'Hello.' }, scores }],
  });
  t.equal(res.statusCode, 200);
  const body = res.json();
  t.equal(body.explanation, undefined);
  t.match(body.warnings[0], /^\/judgments\/0\/candidate\/prompt: possible evasion attempt/);
});

t.test('scores-only rubric works without a candidate', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/judgments/detect', { rubric: 'test-scores', judgments: [{ scores: { overall: 7.5 } }] });
  t.equal(res.statusCode, 200);
  t.equal(res.json().group.k, 1);
});

t.test('GET /v1/judgments/rubrics lists rubrics with dimensions, fields and metrics', async (t) => {
  const app = await build(t);
  const res = await app.inject({ method: 'GET', url: '/v1/judgments/rubrics' });
  t.equal(res.statusCode, 200);
  const { rubrics } = res.json();
  t.same(rubrics.map((r: { id: string }) => r.id), ['test-rubric', 'test-scores']);
  t.same(rubrics[0].dimensions[0], { name: 'helpfulness', min: 0, max: 4, integer: true });
  t.same(rubrics[0].candidate_fields, ['prompt', 'response']);
  t.same(rubrics[0].metrics, { auroc: 0.5 });
});

const bad: [string, unknown, string, RegExp][] = [
  ['unknown rubric', { rubric: 'nope', judgments: [{ scores }] }, '/rubric', /unknown rubric "nope".*test-rubric/],
  ['unknown dimension', { rubric: 'test-rubric', judgments: [{ scores: { ...scores, charm: 2 } }] }, '/judgments/0/scores/charm', /not a dimension/],
  ['score above range', { rubric: 'test-rubric', judgments: [{ scores }, { scores: { ...scores, coherence: 5 } }] }, '/judgments/1/scores/coherence', /between 0 and 4/],
  ['negative score', { rubric: 'test-rubric', judgments: [{ scores: { ...scores, helpfulness: -1 } }] }, '/judgments/0/scores/helpfulness', /between 0 and 4/],
  ['non-integer score on an integer dimension', { rubric: 'test-rubric', judgments: [{ scores: { ...scores, verbosity: 2.5 } }] }, '/judgments/0/scores/verbosity', /whole number/],
  ['missing dimension (detector says so)', { rubric: 'test-rubric', judgments: [{ scores: { helpfulness: 1 } }] }, '/judgments/0/scores/correctness', /required/],
  ['score as a string', { rubric: 'test-rubric', judgments: [{ scores: { ...scores, helpfulness: '3' } }] }, '/judgments/0/scores/helpfulness', /number/],
  ['NaN as a string', { rubric: 'test-scores', judgments: [{ scores: { overall: 'NaN' } }] }, '/judgments/0/scores/overall', /number/],
  ['candidate text with a lone surrogate', { rubric: 'test-rubric', judgments: [{ candidate: { prompt: '\udc00', response: 'x' }, scores }] }, '/judgments/0/candidate/prompt', /lone surrogate/],
  ['no judgments', { rubric: 'test-rubric', judgments: [] }, '/judgments', /fewer than 1/],
  ['empty scores', { rubric: 'test-rubric', judgments: [{ scores: {} }] }, '/judgments/0/scores', /fewer than 1/],
];

for (const [name, body, path, message] of bad) {
  t.test(`400 with the JSON path: ${name}`, async (t) => {
    const app = await build(t);
    const res = await post(app, '/v1/judgments/detect', body);
    t.equal(res.statusCode, 400);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const p = res.json();
    t.equal(p.status, 400);
    t.equal(p.errors[0].path, path);
    t.match(p.errors[0].message, message);
  });
}

t.test('too many judgments is 400 at /judgments', async (t) => {
  const app = await build(t, { env: { MAX_JUDGMENTS: '3' } });
  const res = await post(app, '/v1/judgments/detect', { rubric: 'test-rubric', judgments: Array(4).fill({ scores }) });
  t.equal(res.statusCode, 400);
  t.equal(res.json().errors[0].path, '/judgments');
});

t.test('an overflowing number (1e999) is refused with its path', async (t) => {
  const app = await build(t);
  const res = await post(app, '/v1/judgments/detect', '{"rubric":"test-scores","judgments":[{"scores":{"overall":1e999}}]}');
  t.equal(res.statusCode, 400);
  t.equal(res.json().errors[0].path, '/judgments/0/scores/overall');
});
