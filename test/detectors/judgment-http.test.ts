/** The real judgment detector behind the real routes (committed models/judgments, no test doubles). */
import t from 'tap';
import path from 'node:path';
import { build, post } from '../helpers/build.js';
import { Detectors } from '../../src/detectors/index.js';
import { loadJudgmentDetector } from '../../src/detectors/judgment.js';

t.test('POST /v1/judgments/detect and GET /v1/judgments/rubrics with the trained heads', async (t) => {
  const judgment = await loadJudgmentDetector({ modelDir: path.resolve('models') });
  const app = await build(t, { detectors: Detectors.of({ judgment }) });

  const list = await app.inject({ method: 'GET', url: '/v1/judgments/rubrics' });
  t.equal(list.statusCode, 200, list.body.slice(0, 300));
  const rubrics = list.json().rubrics as { id: string; scores_only: boolean; bias: unknown[]; metrics: Record<string, unknown> }[];
  const hs2 = rubrics.find((r) => r.id === 'helpsteer2')!;
  t.ok(hs2, 'helpsteer2 listed');
  t.ok(hs2.bias.length >= 5);
  t.ok(hs2.metrics.k1);

  const ok = await post(app, '/v1/judgments/detect', {
    rubric: 'helpsteer2',
    judgments: [
      { scores: { helpfulness: 4, correctness: 4, coherence: 4, complexity: 3, verbosity: 4 } },
      { scores: { helpfulness: 4, correctness: 4, coherence: 4, complexity: 3, verbosity: 4 }, candidate: { prompt: 'Hi', response: 'Hello!' } },
    ],
    explain: true,
  });
  t.equal(ok.statusCode, 200, ok.body.slice(0, 300));
  const body = ok.json();
  t.equal(body.group.k, 2);
  t.equal(body.group.label, 'llm');
  t.ok(body.explanation.length > 0);
  t.ok(body.warnings.some((w: string) => /scores-only/.test(w)));

  const bad = await post(app, '/v1/judgments/detect', {
    rubric: 'helpsteer2',
    judgments: [{ scores: { helpfulness: 4, correctness: 4, coherence: 4, complexity: 3 } }],
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.headers['content-type'], /application\/problem\+json/);
  t.match(bad.body, /\/judgments\/0\/scores\/verbosity/);

  const range = await post(app, '/v1/judgments/detect', {
    rubric: 'helpsteer2',
    judgments: [{ scores: { helpfulness: 4, correctness: 4, coherence: 4, complexity: 3, verbosity: 9 } }],
  });
  t.equal(range.statusCode, 400);
  t.match(range.body, /\/judgments\/0\/scores\/verbosity/);

  const text = rubrics.find((r) => r.id === 'topical_chat');
  if (text) {
    const r = await post(app, '/v1/judgments/detect', {
      rubric: 'topical_chat',
      judgments: [
        {
          scores: { naturalness: 2.33, coherence: 3, engagingness: 2, groundedness: 1 },
          candidate: { prompt: 'do you like jazz ?', knowledge: 'jazz festival in dc this summer', response: 'yes , there is a jazz festival in dc this summer !' },
        },
      ],
      explain: true,
    });
    t.equal(r.statusCode, 200, r.body.slice(0, 300));
    const e = r.json().explanation as { feature: string; contribution: number }[];
    t.ok(e.length > 0 && e.every((c) => Number.isFinite(c.contribution)));
    t.equal(r.json().judgments.length, 1);
  }
});
