import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brownDetokenize, loadBrown, loadSotu } from '../../../training/datasets/text-sources.js';
import { loadTextCorpus, wordCount } from '../../../training/datasets/text.js';

/** A sentence in the corpus's tagged form: `word/tag` tokens (tags made up here, the loader drops them). */
const tagged = (s: string) =>
  s
    .split(' ')
    .map((w) => `${w}/${/^[A-Za-z]/.test(w) ? 'nn' : w}`)
    .join(' ');

t.test('brownDetokenize turns tagged tokens back into running text', async (t) => {
  t.equal(
    brownDetokenize(`\t${tagged('The board said `` no change \'\' was needed , and ( as usual ) left .')}\n${tagged('Mr. Pye asked : why ?')}`),
    'The board said "no change" was needed, and (as usual) left. Mr. Pye asked: why?',
  );
  t.equal(brownDetokenize(tagged('It cost $ 5 ; ; then 10 % more .')), 'It cost $5; then 10% more.', 'doubled semicolons once, currency glued');
  t.equal(brownDetokenize(tagged('He met Ivan Allen Jr. .')), 'He met Ivan Allen Jr.', 'no second period after an abbreviation');
  t.equal(brownDetokenize(tagged('A `` quoted \'\' word , and a ` single \' one .')), 'A "quoted" word, and a \'single\' one.');
  t.equal(brownDetokenize('Tags/nn-tl with/in slashes/nns 1/2/cd ./.'), 'Tags with slashes 1/2.', 'only the last slash starts the tag');
  t.equal(brownDetokenize(tagged('The value of **zg is small .')), null, 'a formula placeholder drops the paragraph');
});

t.test('loadBrown: human prose chunks, the genre as domain, the sample as group', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'brown-'));
  const para = (topic: string, n: number) =>
    '\t' + Array.from({ length: n }, (_, i) => tagged(`The ${topic} committee met on day ${i} and agreed that the plan , `+ "`` as written '' , " + 'would need more work .')).join('\n');
  // sample xa01: 8 paragraphs of 6 sentences (about 130 words each) -> chunks of 150-350 words
  writeFileSync(path.join(dir, 'xa01'), Array.from({ length: 8 }, (_, i) => para(`budget${i}`, 6)).join('\n\n\n'));
  // sample xb01: too short for one chunk
  writeFileSync(path.join(dir, 'xb01'), para('garden', 3));
  // a paragraph with a placeholder is left out
  writeFileSync(path.join(dir, 'xc01'), [para('river', 12), `\t${tagged('Let **zg be the flow .')}`, para('bridge', 12)].join('\n\n'));
  writeFileSync(path.join(dir, 'cats.txt'), 'xa01 editorial\nxb01 news\nxc01 learned\nxd01 humor\n');
  const rows = loadBrown(dir);
  const a = rows.filter((r) => r.group === 'brown:xa01');
  t.equal(a.length, 4, 'at most four chunks per sample');
  t.ok(a.every((r) => r.domain === 'editorial' && r.subset === 'editorial'));
  t.equal(new Set(a.map((r) => r.split)).size, 1, 'a sample never straddles two splits');
  for (const r of rows) {
    t.equal(r.source, 'brown');
    t.equal(r.role, 'human_author');
    t.equal(r.pr, 0);
    t.notOk(r.llm);
    t.ok(wordCount(r.text) >= 150 && wordCount(r.text) <= 370, `${wordCount(r.text)} words`);
    t.notMatch(r.text, /\/nn|``|''|\*\*/, 'no tags, no corpus quote marks, no placeholders');
    t.match(r.text, /, "as written", would/);
  }
  t.match(a[0]!.text, /\n\n/, 'paragraph breaks kept inside a chunk');
  t.equal(rows.filter((r) => r.group === 'brown:xb01').length, 0, 'a sample under 150 words gives no chunk');
  const c = rows.filter((r) => r.group === 'brown:xc01');
  t.ok(c.length >= 1 && c.every((r) => !r.text.includes('flow')), 'the placeholder paragraph is dropped');
  t.same(loadBrown(path.join(dir, 'nowhere')), [], 'no corpus, no rows');
  t.same(loadBrown(null), []);

  // in the corpus by default (read from brownDir), left out by TEXT_EXCLUDE_SOURCES
  const empty = mkdtempSync(path.join(tmpdir(), 'data-'));
  const before = process.env.TEXT_EXCLUDE_SOURCES;
  t.teardown(() => {
    if (before === undefined) delete process.env.TEXT_EXCLUDE_SOURCES;
    else process.env.TEXT_EXCLUDE_SOURCES = before;
  });
  delete process.env.TEXT_EXCLUDE_SOURCES;
  const corpus = loadTextCorpus({ dataDir: empty, brownDir: dir });
  t.same(corpus.map((r) => r.id).sort(), rows.map((r) => r.id).sort(), 'brown is a default set');
  t.same(loadTextCorpus({ dataDir: empty, brownDir: null }), [], 'brownDir null leaves it out');
  process.env.TEXT_EXCLUDE_SOURCES = 'mixset,brown';
  t.same(loadTextCorpus({ dataDir: empty, brownDir: dir }), [], 'TEXT_EXCLUDE_SOURCES leaves it out');
  t.equal(loadTextCorpus({ dataDir: empty, brownDir: dir, sources: ['brown'] }).length, rows.length, 'unless asked for by name');
});

t.test('loadSotu: addresses cut into sentence chunks, the address as group, its century as domain', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sotu-'));
  const sentences = (topic: string, n: number) =>
    Array.from({ length: n }, (_, i) => `The ${topic} of the nation in year ${i} stands strong, and "we shall keep it so." Mr. Speaker, it will.`).join(' ');
  // one address on a single line, as most files are: 60 sentences of about 10 words
  writeFileSync(path.join(dir, '1962_some_president_d.txt'), sentences('state', 30));
  writeFileSync(path.join(dir, '1821_another_president_n.txt'), `${sentences('union', 12)}\n\n${sentences('treasury', 12)}`);
  writeFileSync(path.join(dir, '1962_some_president_d.json'), '{"not": "text"}');
  writeFileSync(path.join(dir, 'README.txt'), sentences('readme', 40));
  const rows = loadSotu(dir, 3);
  t.same(new Set(rows.map((r) => r.group)), new Set(['sotu:1962_some_president_d', 'sotu:1821_another_president_n']), 'only YYYY_*.txt files');
  t.equal(rows.filter((r) => r.group === 'sotu:1962_some_president_d').length, 3, 'at most maxChunks per address');
  t.same(new Set(rows.map((r) => r.domain)), new Set(['speech-1900s', 'speech-1800s']));
  for (const r of rows) {
    t.equal(r.source, 'sotu');
    t.equal(r.role, 'human_author');
    t.equal(r.pr, 0);
    t.ok(wordCount(r.text) >= 150 && wordCount(r.text) <= 350, `${wordCount(r.text)} words`);
    t.match(r.text, /^(The \w+ of the nation in year \d+ stands strong|Mr\. Speaker, it will\.)/, 'a chunk starts at a sentence');
    t.match(r.text, /(it will\.|so\.")$/, 'and ends at one');
    t.equal((r.text.match(/Mr\. Speaker/g) ?? []).length, (r.text.match(/Speaker/g) ?? []).length, 'never cut after "Mr."');
  }
  t.same(loadSotu(null), []);
});
