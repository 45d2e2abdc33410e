/** Loaders and splits on tiny data written by the test itself (never ../shared). */
import t from 'tap';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadJdBench, splitJudgments, type JudgmentRow } from '../../../training/datasets/judgments.js';
import { parseCsv } from '../../../training/datasets/text-common.js';
import { loadTopicalChat, loadHanna, parseRating, TOPICAL_DIMS, TOPICAL_MODES } from '../../../training/datasets/judgments-text.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'jd-data-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

t.test('CSV parser handles quotes, commas and newlines', async (t) => {
  t.same(parseCsv('a,b\n"x, y","he said ""hi""\nbye"\r\n1,2\n'), [
    ['a', 'b'],
    ['x, y', 'he said "hi"\nbye'],
    ['1', '2'],
  ]);
});

t.test('jd-bench-scores loader', async (t) => {
  const dir = path.join(tmp, 'jd-bench-scores', 'Debug CSV');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'helpsteer2.csv'), 'helpfulness,correctness,coherence,complexity,verbosity,label\n4,4,4,2,2,Human\n4,4,4,3,4,LLM\n');
  writeFileSync(path.join(dir, 'neurips.csv'), 'rating,confidence,soundness,presentation,contribution,label\n5.0,4.0,3.0,3.0,3.0,Robot\n');
  const d = loadJdBench('helpsteer2', tmp);
  t.equal(d.rows.length, 2);
  t.same(d.rows[0].scores, { helpfulness: 4, correctness: 4, coherence: 4, complexity: 2, verbosity: 2 });
  t.equal(d.rows[0].label, 0);
  t.equal(d.rows[1].label, 1);
  t.equal(d.rows[1].candidateId, null);
  t.throws(() => loadJdBench('neurips_review', tmp), /unknown label/);
});

t.test('rating parser', async (t) => {
  t.equal(parseRating('Rating: 2\nRationale: fine', 1, 3), 2);
  t.equal(parseRating('Analysis: it flows.\nRating: 3', 1, 3), 3);
  t.equal(parseRating('2', 1, 3), 2);
  t.equal(parseRating('- Naturalness score (1-3): **2**', 1, 3), 2);
  t.equal(parseRating('The response is natural. 3', 1, 3), 3);
  t.equal(parseRating('Rating: 5', 1, 3), null, 'out of range');
  t.equal(parseRating('Rating: 2.5', 1, 3), null, 'not an integer');
  t.equal(parseRating('no number here', 1, 3), null);
  t.equal(parseRating('0', 0, 1), 0);
});

t.test('Topical-Chat loader: LLM side is the mean of 3 samples, human side kept', async (t) => {
  const base = path.join(tmp, 'judgments', 'd223302__A-Closer-Look-To-LLM-Evaluation');
  mkdirSync(path.join(base, 'data'), { recursive: true });
  mkdirSync(path.join(base, 'results', 'topical_chat'), { recursive: true });
  const items = [0, 1].map((i) => ({
    source: `hello there ${i}\n`,
    context: `fact ${i}`,
    system_output: `reply ${i}`,
    system_id: 'Original Ground Truth',
    scores: { naturalness: 2 + 1 / 3, coherence: 3, engagingness: 1.6666666667, groundedness: 0.6666666667, understandability: 1, overall: 4 },
  }));
  writeFileSync(path.join(base, 'data', 'topical_chat.json'), JSON.stringify(items));
  for (const d of TOPICAL_DIMS)
    for (const mode of TOPICAL_MODES) {
      const hi = d.max;
      // 7 answers: 3,3,x(unparseable),2,2,2,3 -> valid [hi,hi,2?..]
      const answers = [`Rating: ${hi}`, `${hi}`, 'I cannot rate this', `Rating: ${d.min}`, `${d.min}`, `${d.min}`, `${hi}`];
      writeFileSync(
        path.join(base, 'results', 'topical_chat', `gpt3.5_${d.key}_${mode}.json`),
        JSON.stringify(items.map((it) => ({ ...it, prompt: 'p', all_responses: answers }))),
      );
    }
  const ds = loadTopicalChat(tmp);
  const human = ds.rows.filter((r) => r.label === 0);
  const llm = ds.rows.filter((r) => r.label === 1);
  t.equal(human.length, 2);
  t.equal(human[0].scores.naturalness, 7 / 3);
  t.equal(human[0].scores.engagingness, 5 / 3, 'snapped from 1.6666666667 to the 1/3 lattice');
  // valid samples per dimension: [hi, hi, min, min, min, hi] -> triples (hi+hi+min)/3, (min+min+hi)/3
  t.equal(llm.length, 2 * TOPICAL_MODES.length * 2);
  const first = llm.find((r) => r.id === 'tc0:geval:0')!;
  t.equal(first.scores.naturalness, (3 + 3 + 1) / 3);
  t.equal(first.scores.groundedness, (1 + 1 + 0) / 3);
  const second = llm.find((r) => r.id === 'tc0:geval:1')!;
  t.equal(second.scores.coherence, (1 + 1 + 3) / 3);
  t.equal(ds.candidates.get('tc0')!.response, 'reply 0');
  t.equal(ds.candidates.get('tc0')!.prompt, 'hello there 0');
  t.ok(ds.rows.every((r) => r.candidateId === 'tc0' || r.candidateId === 'tc1'));
});

t.test('HANNA loader: human mean of 3 raters; LLM vectors off the 1/3 lattice dropped', async (t) => {
  const dir = path.join(tmp, 'judgments', 'dig-team__hanna-benchmark-asg', 'derived');
  mkdirSync(dir, { recursive: true });
  const v = (x: number) => ({ Relevance: x, Coherence: x, Empathy: x, Surprise: x, Engagement: x, Complexity: x });
  const story = {
    story_id: 3,
    prompt: 'A prompt',
    story: 'A story.',
    human_raters: [v(1), v(2), v(2)],
    llm_judges: { 'A|eval_prompt_1': v(4 + 1 / 3), 'B|eval_prompt_1': v(2.5), 'C|eval_prompt_2': v(5) },
  };
  writeFileSync(path.join(dir, 'hanna_human_stories_96_human_vs_llm.jsonl'), JSON.stringify(story) + '\n');
  const ds = loadHanna(tmp);
  const human = ds.rows.filter((r) => r.label === 0);
  const llm = ds.rows.filter((r) => r.label === 1);
  t.equal(human.length, 1);
  t.equal(human[0].scores.relevance, 5 / 3);
  t.same(
    llm.map((r) => r.judge),
    ['A|eval_prompt_1', 'C|eval_prompt_2'],
    'the 2.5 vector (mean of 2) is dropped',
  );
  t.same(ds.candidates.get('hanna3'), { prompt: 'A prompt', story: 'A story.' });
});

t.test('splits: stratified by row, or by candidate without overlap; deterministic', async (t) => {
  const rows: JudgmentRow[] = [];
  for (let i = 0; i < 1000; i++) rows.push({ id: `r${i}`, rubric: 'x', label: (i % 3 === 0 ? 1 : 0) as 0 | 1, judge: 'j', scores: { a: 1 }, candidateId: null });
  const s = splitJudgments(rows);
  const test = rows.filter((r) => s.split.get(r.id) === 'test');
  t.equal(test.length, Math.round(334 * 0.2) + Math.round(666 * 0.2));
  t.equal(test.filter((r) => r.label === 1).length, Math.round(334 * 0.2), 'stratified');
  t.same([...splitJudgments(rows).split], [...s.split], 'deterministic');
  const folds = new Set(rows.filter((r) => s.split.get(r.id) === 'train').map((r) => s.fold.get(r.id)));
  t.same([...folds].sort(), [0, 1, 2, 3, 4]);
  const byCand = rows.map((r, i) => ({ ...r, candidateId: `c${i % 50}` }));
  const c = splitJudgments(byCand);
  const testC = new Set(byCand.filter((r) => c.split.get(r.id) === 'test').map((r) => r.candidateId));
  const trainC = new Set(byCand.filter((r) => c.split.get(r.id) === 'train').map((r) => r.candidateId));
  t.equal(testC.size, 10);
  t.ok([...testC].every((x) => !trainC.has(x)), 'no candidate in both train and test');
  for (const id of trainC) {
    const fs = new Set(byCand.filter((r) => r.candidateId === id).map((r) => c.fold.get(r.id)));
    t.equal(fs.size, 1, 'a candidate sits in one CV fold');
  }
});
