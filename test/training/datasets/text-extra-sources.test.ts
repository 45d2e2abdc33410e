import t from 'tap';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { loadHanna, loadIclrPapers, loadIclrReviews, loadMtBench, normalizeStory, paperChunks, reviewText } from '../../../training/datasets/text-sources.js';
import { loadTextCorpus, parsePyStrings, wordCount } from '../../../training/datasets/text.js';

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

/** A one-entry zip (deflated), written the way zip tools write one: local header, data, central directory, end record. */
function writeZip(file: string, name: string, data: Buffer): void {
  const comp = deflateRawSync(data);
  const n = Buffer.from(name, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(comp.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(comp.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  central.writeUInt32LE(0, 42);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + comp.length, 16);
  writeFileSync(file, Buffer.concat([local, n, comp, central, n, end]));
}

t.test('parsePyStrings reads the string literals of a Python repr', async (t) => {
  t.same(parsePyStrings(`['a b', "it's", 'say \\'hi\\'']`), ['a b', "it's", "say 'hi'"]);
  t.same(parsePyStrings(`[('Line one\\nline two', 'user'), ("Don't", 'assistant')]`), ['Line one\nline two', 'user', "Don't", 'assistant']);
  t.same(parsePyStrings(`['caf\\xe9 \\u2014 \\U0001F600', 'back\\\\slash']`), ['café — 😀', 'back\\slash']);
  t.same(parsePyStrings('[]'), []);
  t.same(parsePyStrings('no literal here'), []);
});

t.test('loadIclrReviews: LLM reviews in the group of their paper, scores left out', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'reviews-'));
  const base = path.join(dir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/llm_reviews');
  mkdirSync(base, { recursive: true });
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const header = 'paper_id,Summary,Questions,Limitations,Overall,Strengths,Weaknesses,Decision';
  const row = (pid: string, summary: string) =>
    [pid, summary, `['Why K?', "What's next?"]`, `['Small data']`, '6', `['Clear writing', 'Tight bounds']`, `['Limited scope']`, 'Accept'].map(q).join(',');
  writeFileSync(path.join(base, 'gpt-4o-2024-05-13_temp_0_1_pages_all.csv'), [header, row('paperA', 'The paper bounds the loss.'), row('', 'No id.')].join('\n'));
  writeFileSync(path.join(base, 'claude-3-5-sonnet-20240620_temp_0_1_pages_all.csv'), [header, row('paperA', 'This work studies bounds.')].join('\n'));
  const out = loadIclrReviews(dir);
  t.equal(out.length, 2, 'a row without a paper id is skipped');
  t.ok(out.every((r) => r.role === 'llm_creator' && r.pr === 1 && r.llm && r.group === 'iclr:paperA' && r.domain === 'review'));
  t.same(new Set(out.map((r) => r.generator)), new Set(['gpt-4o-2024-05-13', 'claude-3-5-sonnet-20240620']));
  const gpt = out.find((r) => r.generator === 'gpt-4o-2024-05-13')!;
  t.equal(gpt.text, "The paper bounds the loss.\n\nStrengths:\n- Clear writing\n- Tight bounds\n\nWeaknesses:\n- Limited scope\n\nQuestions:\n- Why K?\n- What's next?");
  t.notMatch(gpt.text, /Accept|Small data|\b6\b/, 'no decision, score or limitation');
  const papers = path.join(dir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/iclr_parsed');
  mkdirSync(papers, { recursive: true });
  writeFileSync(path.join(papers, 'paperA.txt'), ['ABSTRACT', para(14)].join('\n\n'));
  const paper = loadIclrPapers(dir)[0]!;
  t.equal(paper.split, gpt.split, 'a paper and its reviews share a split');
  t.same(reviewText({}), '');
});

t.test('loadMtBench: first-turn answers of every model in the prose categories, one row each', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mtbench-'));
  const base = path.join(dir, 'judgments/Vibhanshu-555__Human-Aligned-LLM-Evaluation-Audit/data/processed');
  mkdirSync(base, { recursive: true });
  const answer = (who: string, n: number) => Array.from({ length: n }, (_, i) => `${who} writes sentence ${i} of the answer.`).join(' ');
  const conv = (who: string, second = answer(`${who} again`, 5)) =>
    `[('Write a blog post about Hawaii.', 'user'), ('${answer(who, 5)}', 'assistant'), ('Now start every sentence with A.', 'user'), ('${second}', 'assistant')]`;
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const header = 'question_id,model_a,model_b,conversation_a_x,conversation_b_x,category';
  const rows = [
    ['81', 'gpt-4', 'alpaca-13b', conv('GPT'), conv('Alpaca'), 'writing'],
    ['81', 'gpt-4', 'claude-v1', conv('GPT'), conv('Claude'), 'writing'], // gpt-4's answer again: kept once
    ['101', 'gpt-4', 'claude-v1', conv('GPT'), conv('Claude', 'Yes.'), 'humanities'],
    ['121', 'gpt-4', 'claude-v1', conv('GPT'), conv('Claude'), 'coding'],
  ];
  writeZip(path.join(base, 'human_gpt_comparison.zip'), 'human_gpt_comparison.csv', Buffer.from([header, ...rows.map((r) => r.map(q).join(','))].join('\n')));
  const out = loadMtBench(dir);
  const keys = out.map((r) => r.id).sort();
  t.same(keys, [
    'mt-bench:humanities:q101:claude-v1:t1',
    'mt-bench:humanities:q101:gpt-4:t1',
    'mt-bench:humanities:q101:gpt-4:t2',
    'mt-bench:writing:q81:alpaca-13b:t1',
    'mt-bench:writing:q81:claude-v1:t1',
    'mt-bench:writing:q81:gpt-4:t1',
  ], 'no coding answers, no second turn of a writing task, no one-word answer, no duplicate');
  t.ok(out.every((r) => r.role === 'llm_creator' && r.pr === 1 && r.source === 'mt-bench'));
  t.equal(out.find((r) => r.id.endsWith('q81:gpt-4:t1'))!.text, answer('GPT', 5));
  t.equal(new Set(out.filter((r) => r.group === 'mtbench:q81').map((r) => r.split)).size, 1, 'a question never straddles two splits');
  t.same(loadMtBench(path.join(dir, 'nowhere')), []);
});

t.test('opt-in sources load only when asked for', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'optin-'));
  const base = path.join(dir, 'judgments/SakanaAI__AI-Scientist/review_iclr_bench/llm_reviews');
  mkdirSync(base, { recursive: true });
  writeFileSync(path.join(base, 'gpt-4o-mini-2024-07-18_x.csv'), 'paper_id,Summary\npaperZ,A summary of the paper.\n');
  const before = process.env.TEXT_EXTRA_SOURCES;
  t.teardown(() => {
    if (before === undefined) delete process.env.TEXT_EXTRA_SOURCES;
    else process.env.TEXT_EXTRA_SOURCES = before;
  });
  delete process.env.TEXT_EXTRA_SOURCES;
  t.same(loadTextCorpus({ dataDir: dir, brownDir: null }).map((r) => r.source), [], 'not in the default corpus');
  t.same(loadTextCorpus({ dataDir: dir, brownDir: null, sources: ['iclr-reviews'] }).map((r) => r.source), ['iclr-reviews']);
  process.env.TEXT_EXTRA_SOURCES = 'mt-bench,iclr-reviews';
  t.same(loadTextCorpus({ dataDir: dir, brownDir: null }).map((r) => r.source), ['iclr-reviews']);
});
