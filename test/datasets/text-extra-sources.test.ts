import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadHanna, loadIclrPapers, normalizeStory, paperChunks } from '../../src/datasets/text-sources.js';
import { wordCount } from '../../src/datasets/text.js';

const sentence = (i: number) => `The method number ${i} reduces the error of the estimator on every benchmark we tried.`;
const para = (n: number, from = 0) => Array.from({ length: n }, (_, i) => sentence(from + i)).join('\n');

t.test('normalizeStory puts both sides of HANNA in one format', async (t) => {
  t.equal(
    normalizeStory("\n\nSure! Here is a story based on the prompt you provided:\n\nTitle: The Reaper\n\nIt was “late”.\nShe didn’t  care."),
    'It was "late". She didn\'t care.',
  );
  // a first line that is story text stays
  t.equal(normalizeStory('Once upon a time: a king.\nThe end.'), 'Once upon a time: a king. The end.');
  t.equal(normalizeStory('“Goddamn, Ian,” I sigh.'), '"Goddamn, Ian," I sigh.');
});

t.test('loadHanna: one human story per prompt, every LLM story in the prompt\'s group', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hanna-'));
  const base = path.join(dir, 'judgments/dig-team__hanna-benchmark-asg');
  mkdirSync(base, { recursive: true });
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const rows = [
    ['0', 'A dragon learns to knit.', 'The dragon “Ember” held the needles.', 'Title: Ember\n\nEmber the dragon sat by the fire.', 'Mistral-7b'],
    ['1', 'A clock stops forever.', 'Nobody noticed the clock at first.', 'Sure! Here is a story:\nThe clock stopped at noon.', 'Mistral-7b'],
    ['96', 'A dragon learns to knit.', 'The dragon “Ember” held the needles.', 'Once there was a knitting dragon.', 'Llama-7b'],
  ];
  writeFileSync(path.join(base, 'hanna_llm_stories.csv'), [',Prompt,Human,Story,Model', ...rows.map((r) => r.map(q).join(','))].join('\n'));
  const out = loadHanna(dir);
  const human = out.filter((r) => r.role === 'human_author');
  const llm = out.filter((r) => r.role === 'llm_creator');
  t.equal(human.length, 2, 'one human story per distinct prompt');
  t.equal(llm.length, 3);
  t.same(new Set(out.map((r) => r.source)), new Set(['hanna']));
  t.ok(human.every((r) => r.pr === 0 && !r.llm) && llm.every((r) => r.pr === 1 && r.llm));
  const dragon = out.filter((r) => r.text.toLowerCase().includes('dragon'));
  t.equal(dragon.length, 3);
  t.equal(new Set(dragon.map((r) => r.group)).size, 1, 'a prompt never straddles two splits');
  t.equal(new Set(dragon.map((r) => r.split)).size, 1);
  t.equal(human.find((r) => r.text.includes('Ember'))!.text, 'The dragon "Ember" held the needles.');
  t.equal(llm.find((r) => r.subset === 'Mistral-7b' && r.text.includes('Ember'))!.text, 'Ember the dragon sat by the fire.');
  t.equal(llm.find((r) => r.text.includes('clock'))!.text, 'The clock stopped at noon.');
  t.same(loadHanna(path.join(dir, 'nowhere')), [], 'a missing file loads nothing');
});

t.test('paperChunks keeps prose and drops headings, equations, tables and references', async (t) => {
  const paper = [
    '# A TITLE OF A PAPER',
    '**Anonymous authors**\nPaper under double-blind review',
    'ABSTRACT',
    para(12, 0),
    '1 INTRODUCTION',
    para(12, 100),
    'The loss is $L = \\sum_i (y_i - f(x_i))^2$ where $f$ is the model and the sum runs over the training set of the paper here.',
    '| a | b |\n|---|---|\n| 1 | 2 |',
    'Figure 2: the error of the estimator on every benchmark we tried and every other benchmark we could find in the literature today.',
    para(12, 200),
    'REFERENCES',
    para(12, 300),
  ].join('\n\n');
  const chunks = paperChunks(paper, 5, 100, 200);
  t.ok(chunks.length >= 2, `${chunks.length} chunks`);
  for (const c of chunks) {
    t.notMatch(c, /\n/, 'one line');
    t.notMatch(c, /\$|\||Figure 2|TITLE|Anonymous/, 'no equations, tables, captions or title block');
    t.notMatch(c, /number 3\d\d /, 'nothing from the references on');
    t.ok(wordCount(c) >= 100 && wordCount(c) <= 200 + 20, `${wordCount(c)} words`);
  }
  t.match(chunks[0], /^The method number 0 /, 'starts at the abstract');
  t.equal(paperChunks(paper, 1, 100, 200).length, 1, 'maxChunks');
  // a long paragraph is cut at the first sentence end after maxWords
  const long = paperChunks(para(40), 1, 50, 100)[0]!;
  t.match(long, /tried\.$/);
  t.ok(wordCount(long) >= 100 && wordCount(long) < 120);
});

t.test('loadIclrPapers: human-only rows, one group per paper', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'iclr-'));
  const base = path.join(dir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/iclr_parsed');
  mkdirSync(base, { recursive: true });
  writeFileSync(path.join(base, 'paperA.txt'), ['ABSTRACT', para(14), para(14, 50), para(14, 80), para(14, 90)].join('\n\n'));
  writeFileSync(path.join(base, 'paperB.txt'), ['ABSTRACT', 'Too short to keep.'].join('\n\n'));
  const out = loadIclrPapers(dir);
  t.equal(out.length, 3, 'at most 3 chunks of paper A, none of paper B');
  t.ok(out.every((r) => r.role === 'human_author' && r.pr === 0 && r.group === 'iclr:paperA' && r.domain === 'paper'));
  t.same(out.map((r) => r.subset), ['opening', 'body', 'body']);
});
