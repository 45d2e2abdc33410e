import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadJudgmentDetector } from '../../src/detectors/judgment.js';
import { InputError, ModelUnavailableError, type JudgmentDetector } from '../../src/detectors/types.js';

const MODELS = path.resolve('models');
const logit = (p: number) => Math.log(p / (1 - p));

const HS2 = { helpfulness: 4, correctness: 4, coherence: 4, complexity: 3, verbosity: 4 };

interface Asserts {
  ok(v: unknown, m?: string): void;
  equal(a: unknown, b: unknown, m?: string): void;
  match(a: unknown, b: RegExp, m?: string): void;
  fail(m?: string): void;
}

async function inputError(t: Asserts, p: Promise<unknown>, pathRe: string, msg?: RegExp) {
  try {
    await p;
    t.fail(`expected InputError at ${pathRe}`);
  } catch (e) {
    t.ok(e instanceof InputError, `InputError (${(e as Error).message})`);
    t.equal((e as InputError).path, pathRe);
    if (msg) t.match((e as Error).message, msg);
  }
}

let det: JudgmentDetector;
t.before(async () => {
  det = await loadJudgmentDetector({ modelDir: MODELS });
});

t.test('lists the rubrics with the jd-bench-scores column names', async (t) => {
  const rs = det.rubrics();
  const byId = new Map(rs.map((r) => [r.id, r]));
  t.same(byId.get('helpsteer2')?.dimensions.map((d) => d.name), ['helpfulness', 'correctness', 'coherence', 'complexity', 'verbosity']);
  t.same(byId.get('neurips_review')?.dimensions.map((d) => d.name), ['rating', 'confidence', 'soundness', 'presentation', 'contribution']);
  t.same(byId.get('helpsteer3')?.dimensions.map((d) => d.name), ['score']);
  t.same(byId.get('antique')?.dimensions.map((d) => d.name), ['ranking_0', 'ranking_1', 'ranking_2']);
  for (const id of ['helpsteer2', 'helpsteer3', 'neurips_review', 'antique']) {
    const r = byId.get(id)!;
    t.equal(r.scores_only, true, `${id} is scores-only`);
    t.same(r.candidate_fields, []);
    t.ok(r.bias.length >= r.dimensions.length, `${id} has a bias entry per dimension`);
    t.ok((r.metrics.k1 as { f1: number }).f1 > 0.5, `${id} has measured metrics`);
  }
  for (const id of ['topical_chat', 'hanna_story', 'iclr_review']) {
    const r = byId.get(id);
    if (!r) continue;
    t.equal(r.scores_only, false, `${id} reads the candidate`);
    t.ok(r.candidate_fields.length > 0);
  }
  const d = byId.get('helpsteer2')!.dimensions[0];
  t.same(Object.keys(d).sort(), ['integer', 'max', 'min', 'name'], 'dimension objects carry only the public fields');
});

t.test('range validation with JSON paths', async (t) => {
  await inputError(t, det.detect({ rubric: 'nope', judgments: [{ scores: HS2 }], explain: false }), '/rubric', /unknown rubric/);
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: { ...HS2, verbosity: 5 } }], explain: false }), '/judgments/0/scores/verbosity', /between 0 and 4/);
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: { ...HS2, verbosity: -1 } }], explain: false }), '/judgments/0/scores/verbosity');
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2 }, { scores: { ...HS2, coherence: 2.5 } }], explain: false }), '/judgments/1/scores/coherence', /whole number/);
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: { ...HS2, style: 3 } }], explain: false }), '/judgments/0/scores/style', /not a dimension/);
  const { verbosity: _v, ...missing } = HS2;
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: missing }], explain: false }), '/judgments/0/scores/verbosity', /missing/);
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [{ scores: { ...HS2, helpfulness: Number.NaN } }], explain: false }), '/judgments/0/scores/helpfulness');
  await inputError(t, det.detect({ rubric: 'neurips_review', judgments: [{ scores: { rating: 11, confidence: 3, soundness: 3, presentation: 3, contribution: 3 } }], explain: false }), '/judgments/0/scores/rating');
  await inputError(t, det.detect({ rubric: 'helpsteer2', judgments: [], explain: false }), '/judgments');
  // boundaries are accepted
  const ok = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: { helpfulness: 0, correctness: 4, coherence: 0, complexity: 4, verbosity: 0 } }], explain: false });
  t.equal(ok.judgments.length, 1);
  t.ok(ok.judgments[0].llm_probability > 0 && ok.judgments[0].llm_probability < 1);
});

t.test('scores-only rubric: a candidate is accepted and ignored with a warning', async (t) => {
  const a = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2 }], explain: false });
  const b = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2, candidate: { prompt: 'Hi', response: 'Hello there, how can I help?' } }], explain: false });
  t.equal(a.warnings.length, 0);
  t.equal(b.warnings.length, 1);
  t.match(b.warnings[0], /scores-only/);
  t.equal(b.judgments[0].llm_probability, a.judgments[0].llm_probability);
  t.equal(a.model.id, 'llm-provenance-judgment-helpsteer2');
  t.equal(a.rubric, 'helpsteer2');
});

t.test('group aggregation: k identical judgments sum their log-odds', async (t) => {
  // HelpSteer2's GPT-4o judge rates verbosity/complexity high and is generous: expect "llm" one way,
  // a low-verbosity, harsh judgment the other way
  const llmish = HS2;
  const humanish = { helpfulness: 2, correctness: 2, coherence: 4, complexity: 1, verbosity: 1 };
  const one = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: llmish }], explain: false });
  const oneH = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: humanish }], explain: false });
  t.ok(one.judgments[0].llm_probability > 0.5, `llm-like judgment p=${one.judgments[0].llm_probability}`);
  t.ok(oneH.judgments[0].llm_probability < 0.5, `human-like judgment p=${oneH.judgments[0].llm_probability}`);
  t.equal(one.group.k, 1);
  t.ok(Math.abs(one.group.llm_probability - one.judgments[0].llm_probability) < 1e-12, 'k=1 group = the judgment');
  let prevL = one.group.llm_probability;
  let prevH = oneH.group.llm_probability;
  for (const k of [2, 4, 8]) {
    const g = await det.detect({ rubric: 'helpsteer2', judgments: Array.from({ length: k }, () => ({ scores: llmish })), explain: false });
    const h = await det.detect({ rubric: 'helpsteer2', judgments: Array.from({ length: k }, () => ({ scores: humanish })), explain: false });
    t.equal(g.group.k, k);
    t.equal(g.judgments.length, k);
    t.ok(g.group.llm_probability > prevL || g.group.llm_probability === 1, `k=${k}: llm group probability rises (${g.group.llm_probability})`);
    t.ok(h.group.llm_probability < prevH || h.group.llm_probability === 0, `k=${k}: human group probability falls (${h.group.llm_probability})`);
    const expected = k * logit(one.judgments[0].llm_probability);
    if (g.group.llm_probability < 1 - 1e-9) t.ok(Math.abs(logit(g.group.llm_probability) - expected) < 1e-6 * k, 'group log-odds = k x single');
    else t.ok(expected > 20, 'saturated only when k x single log-odds is large');
    const expectedH = k * logit(oneH.judgments[0].llm_probability);
    if (h.group.llm_probability > 1e-9) t.ok(Math.abs(logit(h.group.llm_probability) - expectedH) < 1e-6 * k, 'human group log-odds = k x single');
    t.equal(g.group.label, 'llm');
    t.equal(h.group.label, 'human');
    prevL = g.group.llm_probability;
    prevH = h.group.llm_probability;
  }
  // mixed group: sum of the two log-odds
  const mix = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: llmish }, { scores: humanish }], explain: false });
  const expected = logit(one.judgments[0].llm_probability) + logit(oneH.judgments[0].llm_probability);
  t.ok(Math.abs(logit(mix.group.llm_probability) - expected) < 1e-9);
});

t.test('explanation: top signed contributions on named features', async (t) => {
  const a = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2 }], explain: true });
  const e = a.explanation!;
  t.ok(Array.isArray(e) && e.length > 0 && e.length <= 10);
  for (let i = 1; i < e.length; i++) t.ok(Math.abs(e[i - 1].contribution) >= Math.abs(e[i].contribution), 'sorted by |contribution|');
  for (const c of e) {
    t.type(c.feature, 'string');
    t.ok(Number.isFinite(c.value) && Number.isFinite(c.contribution));
  }
  t.ok(e.some((c) => /verbosity|complexity|helpfulness|correctness|coherence/.test(c.feature)), 'features name the dimensions');
  const score = e.find((c) => c.feature === 'score:verbosity');
  if (score) t.equal(score.value, 4);
  const noExplain = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2 }], explain: false });
  t.equal(noExplain.explanation, undefined);
  // group explanation: contributions add up over identical judgments
  const g = await det.detect({ rubric: 'helpsteer2', judgments: [{ scores: HS2 }, { scores: HS2 }, { scores: HS2 }], explain: true });
  const top = e[0];
  const gTop = g.explanation!.find((c) => c.feature === top.feature)!;
  t.ok(Math.abs(gTop.contribution - 3 * top.contribution) < 1e-9, 'group contribution = sum over judgments');
  t.equal(gTop.value, top.value);
});

t.test('text-bearing rubrics need their candidate fields', async (t) => {
  const r = det.rubrics().find((x) => !x.scores_only);
  if (!r) {
    t.skip('no text-bearing rubric committed');
    return;
  }
  const scores: Record<string, number> = {};
  for (const d of r.dimensions) scores[d.name] = d.max;
  await inputError(t, det.detect({ rubric: r.id, judgments: [{ scores }], explain: false }), '/judgments/0/candidate');
  const candidate: Record<string, string> = {};
  for (const f of r.candidate_fields) candidate[f] = 'The committee reviewed the proposal and asked the authors to clarify how the data were collected.';
  const { [r.candidate_fields[0]]: _drop, ...partial } = candidate;
  await inputError(t, det.detect({ rubric: r.id, judgments: [{ scores, candidate: partial }], explain: false }), `/judgments/0/candidate/${r.candidate_fields[0]}`);
  const ok = await det.detect({ rubric: r.id, judgments: [{ scores, candidate: { ...candidate, extra: 'x' } }], explain: true });
  t.equal(ok.judgments.length, 1);
  t.ok(ok.warnings.some((w) => /ignored: extra/.test(w)));
  t.ok(ok.explanation!.length > 0);
});

t.test('missing or corrupt model files -> ModelUnavailableError("judgments")', async (t) => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'jd-models-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  await t.rejects(loadJudgmentDetector({ modelDir: tmp }), ModelUnavailableError);
  cpSync(path.join(MODELS, 'judgments'), path.join(tmp, 'judgments'), { recursive: true });
  const d = await loadJudgmentDetector({ modelDir: tmp });
  t.ok(d.rubrics().length >= 4, 'a copy loads');
  const head = path.join(tmp, 'judgments', 'helpsteer2', 'head.json');
  writeFileSync(head, readFileSync(head, 'utf8').replace(/\d(?=\D*$)/, (x) => String((Number(x) + 1) % 10)));
  try {
    await loadJudgmentDetector({ modelDir: tmp });
    t.fail('corrupt head should not load');
  } catch (e) {
    t.ok(e instanceof ModelUnavailableError);
    t.equal((e as ModelUnavailableError).modelName, 'judgments');
    t.match((e as Error).message, /sha256/);
  }
});
