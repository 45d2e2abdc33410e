/**
 * Issue 45, item 2: one deduplicated corpus. The wider sets merged with today's: groups shared across
 * sets, no group on two sides of a split, evaluation-only groups whole in test, near-duplicate human
 * texts once; today's corpus and sample unchanged while the wider sets are off.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collectTextCorpus, loadTextCorpus, splitOf, type TextRow } from '../../../training/datasets/text.js';
import { balancedWeights, sampleRows } from '../../../training/datasets/text-pipeline.js';
import { spreadOverCells } from '../../../training/datasets/wider/balance.js';
import { mergeWider, WIDER_SOURCE_IDS, WIDER_TEXT_SOURCES, widerRequested } from '../../../training/datasets/wider/corpus.js';
import { textGroup } from '../../../training/datasets/wider/common.js';
import { groupsOnTwoSplits } from '../../../training/datasets/wider/summary.js';

const DIR = fileURLToPath(new URL('../../fixtures/datasets/wider', import.meta.url));
const golden = JSON.parse(readFileSync(new URL('../../fixtures/datasets/today-golden.json', import.meta.url), 'utf8')) as {
  rows: TextRow[];
  sample: string[];
  weights: number[];
};
const SADDLERS = 'The Saddlers looked more likely to take the lead in the first half, with Albion goalkeeper Jon McLaughlin keeping out Paul Downing and Romaine Sawyers.';

/** Runs `f` with TEXT_WIDER (and TEXT_EXTRA_SOURCES) set as given, then puts them back. */
function withEnv<T>(env: Record<string, string | undefined>, f: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (e: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(e)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return f();
  } finally {
    set(saved);
  }
}
const OFF = { TEXT_WIDER: undefined, TEXT_EXTRA_SOURCES: undefined, TEXT_EXCLUDE_SOURCES: undefined };
const corpus = (wider: boolean) => withEnv(OFF, () => collectTextCorpus({ dataDir: DIR, brownDir: null, wider }));

t.test("wider sets off: today's rows, sample and weights are those of 44b0221 (today-golden.json)", async (t) => {
  const { rows, wider } = corpus(false);
  t.equal(wider, null);
  t.same(rows, golden.rows, 'the same rows, groups and splits, though the directory holds the ten wider sets');
  t.notOk(rows.some((r) => WIDER_SOURCE_IDS.has(r.source)));
  t.same(withEnv(OFF, () => loadTextCorpus({ dataDir: DIR, brownDir: null })), golden.rows, 'the default is off');
  const sample = sampleRows(rows, { train: 2, validation: 1, test: 1, evalPerSubset: 1, minTrainChars: 10 });
  t.same(sample.map((r) => r.id), golden.sample);
  t.same(Array.from(balancedWeights(rows.filter((r) => !r.evalOnly))), golden.weights);
});

t.test('switches: wider: true, TEXT_WIDER=1, or a wider set named', async (t) => {
  const sources = (o: Parameters<typeof loadTextCorpus>[0], env: Record<string, string | undefined> = {}) =>
    [...new Set(withEnv({ ...OFF, ...env }, () => loadTextCorpus({ dataDir: DIR, brownDir: null, ...o })).map((r) => r.source))].sort();
  t.same(sources({}, { TEXT_WIDER: '1' }), sources({ wider: true }));
  t.same(sources({ wider: false }, { TEXT_WIDER: '1' }), ['gede', 'm4'], 'wider: false wins over the environment');
  t.same(sources({ sources: ['imbd', 'm4'] }), ['imbd', 'm4']);
  t.same(sources({}, { TEXT_EXTRA_SOURCES: 'grid' }), ['gede', 'grid', 'm4']);
  t.notOk(sources({ wider: true, includeEval: false }).includes('ellipse'), 'includeEval: false leaves ellipse out, as gede');
  t.equal(widerRequested({}, { TEXT_WIDER: '0' }), false);
  t.same(WIDER_TEXT_SOURCES.map((s) => s.id), [...WIDER_SOURCE_IDS]);
});

t.test('one corpus: a human text and everything made from it in one group, across sets, in one split', async (t) => {
  const { rows, wider } = corpus(true);
  const saddlers = rows.filter((r) => r.group === textGroup(SADDLERS));
  t.same([...new Set(saddlers.map((r) => r.source))].sort(), ['detectrl', 'fast-detect-gpt', 'glimpse', 'imbd']);
  t.equal(new Set(saddlers.map((r) => r.split)).size, 1);
  t.equal(saddlers[0]!.split, splitOf(textGroup(SADDLERS)));
  // the original stands in imbd, fast-detect-gpt and glimpse (one sentence) and detectrl (three): kept once, the longest
  const h = saddlers.filter((r) => r.role === 'human_author');
  t.same(h.map((r) => r.source), ['detectrl']);
  t.ok(h[0]!.text.startsWith(SADDLERS.slice(0, -1)) && h[0]!.text.length > SADDLERS.length);
  // today's M4 shares a Reddit answer with grid and an arXiv abstract with detectrl: the wider rows join M4's group
  const m4 = rows.filter((r) => r.source === 'm4');
  t.same(m4.map((r) => [r.group, r.split]), golden.rows.filter((r) => r.source === 'm4').map((r) => [r.group, r.split]), "today's rows keep their group and split");
  for (const g of ['m4:reddit:0', 'm4:arxiv:0'])
    t.same(rows.filter((r) => r.group === g && r.role === 'human_author').map((r) => r.source), ['m4'], `${g}: the human text once, M4's copy`);
  t.same(wider?.nearDuplicates, { imbd: 1, detectrl: 1, grid: 1 }, "grid's and detectrl's copies of M4's texts, imbd's shorter Saddlers");
  t.same(wider?.sharedGroups, {
    'detectrl+m4': 1,
    'grid+m4': 1,
    'gede+herbold-essays': 1,
    'detectrl+fast-detect-gpt+glimpse+imbd': 1,
    'ellipse+outfox': 1,
  });
  t.same(groupsOnTwoSplits(rows), [], 'no group on two sides of a split');
});

t.test('evaluation-only texts: a group that holds one goes to test whole', async (t) => {
  const { rows, wider } = corpus(true);
  // herbold's essay01 is gede's brat-project essay 0 (eval only): herbold's rows of it are test, not trained on
  const essay01 = rows.filter((r) => r.group === 'gede:brat-project:0');
  t.same(essay01.map((r) => r.source).sort(), ['gede', 'gede', 'herbold-essays', 'herbold-essays', 'herbold-essays']);
  t.ok(essay01.every((r) => r.split === 'test'));
  t.ok(essay01.filter((r) => r.source === 'herbold-essays').every((r) => !r.evalOnly), 'still herbold rows, just not trainable');
  // the ellipse essay that outfox also holds: both kept (each evaluation set is measured alone), all in test;
  // outfox is evaluation only itself (PERSUADE 2.0's essays, CC BY-NC-SA 4.0)
  const ell = rows.find((r) => r.source === 'ellipse' && r.text.startsWith('I think the Electoral College'))!;
  t.same(rows.filter((r) => r.group === ell.group && r.role === 'human_author').map((r) => r.source).sort(), ['ellipse', 'outfox']);
  t.ok(rows.filter((r) => r.group === ell.group).every((r) => r.split === 'test'));
  t.ok(rows.filter((r) => r.source === 'outfox').every((r) => r.evalOnly && r.split === 'test'));
  t.same(wider?.toTestForEval, { 'herbold-essays': 3 });
  t.ok(rows.filter((r) => r.source === 'ellipse').every((r) => r.evalOnly && r.split === 'test'));
  t.same(sampleRows(rows).filter((r) => r.split === 'train' && (r.evalOnly || rows.some((e) => e.evalOnly && e.group === r.group))), [], 'nothing trainable shares a group with an evaluation-only row');
  // training loads the corpus without the eval-only sets: they still decide the splits, then their rows go
  for (const opts of [{ includeEval: false }, { sources: ['herbold-essays', 'argugpt'] }, { includeEval: false, sources: ['herbold-essays', 'outfox'] }]) {
    const train = withEnv(OFF, () => loadTextCorpus({ dataDir: DIR, brownDir: null, wider: true, ...opts }));
    t.notOk(train.some((r) => r.evalOnly || r.source === 'gede' || r.source === 'ellipse' || r.source === 'outfox'), `${JSON.stringify(opts)}: no eval-only row`);
    const same = (r: TextRow) => rows.find((x) => x.id === r.id)!;
    t.ok(train.every((r) => r.split === same(r).split && r.group === same(r).group), `${JSON.stringify(opts)}: every row in the group and split it has with them`);
    t.ok(train.filter((r) => r.source === 'herbold-essays' && r.text.startsWith('It is always said')).every((r) => r.split === 'test'));
  }
});

t.test('mergeWider: groups merge by shared human text, the first-loaded group names them, splits follow', async (t) => {
  const row = (id: string, source: string, group: string, text: string, extra: Partial<TextRow> = {}): TextRow => ({
    id, text, source, subset: 's', domain: 'd', group, split: splitOf(group), role: 'human_author', llm: false, pr: 0, lang: 'en', ...extra,
  });
  const long = 'An original human text that is long enough to give a key: sixty-four letters and digits at least, here.';
  const base = [row('a:1', 'a', 'a:doc1', long), row('a:2', 'a', 'a:doc2', 'Another text of set a, long enough to have a key of its own as well, for sure.')];
  const wider = [
    row('w:1', 'imbd', textGroup(long), `${long} And it goes on.`),
    row('w:2', 'imbd', textGroup(long), 'An LLM rewrite of it.', { role: 'llm_polisher', llm: true, pr: 0.5 }),
    row('w:3', 'glimpse', textGroup(long), long.slice(0, 90)),
  ];
  const { rows, report } = mergeWider(base, wider);
  t.same(rows.map((r) => r.id), ['a:1', 'a:2', 'w:2'], 'the human copies of a wider set go: today\'s copy is kept');
  t.same(rows.map((r) => r.group), ['a:doc1', 'a:doc2', 'a:doc1']);
  t.same(rows.map((r) => r.split), [splitOf('a:doc1'), splitOf('a:doc2'), splitOf('a:doc1')]);
  t.same(report.nearDuplicates, { imbd: 1, glimpse: 1 });
  t.same(report.sharedGroups, { 'a+glimpse+imbd': 1 }, 'sets that share a group, counted before the copies go');
  t.same([report.baseRegrouped, report.baseSplitChanged], [{}, {}]);
});

t.test('sampling with the wider sets: caps spread over generator x domain, weights balance generators', async (t) => {
  const r = (i: number, generator: string, domain: string): TextRow => ({
    id: `detectrl:${i}`, text: `text ${i} long enough to keep`, source: 'detectrl', subset: 's', domain, group: `g${i}`, split: 'train', role: 'llm_creator', llm: true, pr: 1, lang: 'en', generator,
  });
  // 40 rows of one generator x domain cell, 2 of another: a cap of 6 takes 4 + 2 (not 6 + 0)
  const rows = [...Array.from({ length: 40 }, (_, i) => r(i, 'chatgpt', 'news')), r(100, 'palm', 'story'), r(101, 'palm', 'story')];
  const picked = spreadOverCells(rows, 6);
  t.equal(picked.filter((x) => x.generator === 'palm').length, 2);
  t.equal(sampleRows(rows, { train: 6, validation: 1, test: 1, evalPerSubset: 1, minTrainChars: 5 }).filter((x) => x.generator === 'palm').length, 2);
  const w = balancedWeights(rows);
  const sum = (g: string) => rows.reduce((s, x, i) => s + (x.generator === g ? w[i]! : 0), 0);
  t.ok(Math.abs(sum('palm') - sum('chatgpt')) < 1e-9, 'inside a source every generator the same weight');
  // ellipse (evaluation only) is capped per subset, not kept whole like gede's human essays
  const ell = Array.from({ length: 5 }, (_, i): TextRow => ({ ...r(200 + i, 'human', 'essay-ell'), id: `ellipse:${i}`, source: 'ellipse', subset: 'grade-8', role: 'human_author', llm: false, pr: 0, split: 'test', evalOnly: true }));
  t.equal(sampleRows(ell, { train: 6, validation: 1, test: 1, evalPerSubset: 3, minTrainChars: 5 }).length, 3);
});
