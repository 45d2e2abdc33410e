import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  commonWordPrefix,
  cutAtWord,
  extenderPR,
  parseCsv,
  polisherPR,
  round4,
  splitOf,
  splitUnit,
  originalKey,
  words,
} from '../../../training/datasets/text.js';
import { makeRow } from '../../../training/datasets/text-sources.js';

const fx = JSON.parse(readFileSync(new URL('../../fixtures/text/pr-rows.json', import.meta.url), 'utf8')) as {
  polisher: { original: string; final: string; stated_pr: number }[];
  extender: { text: string; same_article_other_extension: string; stated_pr: string }[];
};

t.test('polisher PR = multiset Jaccard distance on split(" "), 4 decimals, matches the stated PR', async (t) => {
  t.ok(fx.polisher.length >= 3);
  for (const r of fx.polisher) t.equal(polisherPR(r.original, r.final), r.stated_pr, r.final.slice(0, 40));
});

t.test('polisher PR formula details', async (t) => {
  t.equal(polisherPR('a b c', 'a b c'), 0);
  t.equal(polisherPR('a b', 'c d'), 1);
  // multiset: {a,a,b} vs {a,b}: min 2, max 3
  t.equal(polisherPR('a a b', 'a b'), round4(1 - 2 / 3));
  // case-sensitive and split on single spaces only
  t.equal(polisherPR('The cat', 'the cat'), round4(1 - 1 / 3));
  t.equal(polisherPR('a  b', 'a b'), round4(1 - 2 / 3)); // '' is a token of 'a  b'
  // Python round(): exact ties go to even (13/32 = 0.40625 -> 0.4062), others to nearest
  t.equal(round4(0.40625), 0.4062);
  t.equal(round4(0.40635), round4(0.40635)); // not a tie in binary: nearest
  t.equal(round4(0.43185), 0.4319);
  t.equal(round4(1 / 3), 0.3333);
});

t.test('extender PR = continuation words / total words, matches the stated PR', async (t) => {
  t.ok(fx.extender.length >= 1);
  for (const r of fx.extender) {
    const k = commonWordPrefix(r.text, r.same_article_other_extension);
    const { prefix, rest } = cutAtWord(r.text, k);
    t.equal(words(prefix).length, k);
    t.equal(extenderPR(rest, r.text), Number(r.stated_pr));
    // the boundary the PR gives is the same word
    t.equal(Math.round(words(r.text).length * (1 - Number(r.stated_pr))), k);
  }
});

t.test('cutAtWord keeps both sides verbatim', async (t) => {
  const s = 'One two  three.\nFour five';
  const c = cutAtWord(s, 3);
  t.equal(c.prefix, 'One two  three.');
  t.equal(c.rest, 'Four five');
  t.equal(s.slice(c.offset), 'Four five');
  t.equal(cutAtWord(s, 0).prefix, '');
  t.equal(cutAtWord(s, 99).rest, '');
});

t.test('split rule: fixed, by group, about 70/15/15', async (t) => {
  t.equal(splitOf('orig:abc'), splitOf('orig:abc'));
  const n = 4000;
  const c = { train: 0, validation: 0, test: 0 };
  for (let i = 0; i < n; i++) c[splitOf(`g${i}`)]++;
  t.ok(Math.abs(c.train / n - 0.7) < 0.03, `train ${c.train}`);
  t.ok(Math.abs(c.validation / n - 0.15) < 0.03, `validation ${c.validation}`);
  t.ok(Math.abs(c.test / n - 0.15) < 0.03, `test ${c.test}`);
  const u = splitUnit('x');
  t.ok(u >= 0 && u < 1);
  // a pinned value: changing the seed or rule changes every split, so it must be deliberate
  t.equal(splitOf('orig:0000000000000000'), splitOf('orig:0000000000000000', 'llm-provenance-split-v1'));
});

t.test('rows of one original share group and split; gede rows are evaluation only', async (t) => {
  const orig = 'Another week just flew by me. I drove by the new house yesterday.';
  const g = `orig:${originalKey(orig)}`;
  t.equal(originalKey(orig), originalKey(orig.toUpperCase()));
  const a = makeRow({ key: '1', text: orig, source: 'apt-eval', subset: 'human', domain: 'blog', group: g, role: 'human_author', pr: 0 });
  const b = makeRow({ key: '1', text: 'Another week has flown by.', source: 'mixset', subset: 'gpt4_polish_token', domain: 'blog', group: g, role: 'llm_polisher', pr: 0.4 });
  t.equal(a!.split, b!.split);
  t.equal(a!.llm, false);
  t.equal(b!.llm, true);
  const e = makeRow({ key: '1', text: 'x', source: 'gede', subset: 's', domain: 'essay-ielts', group: 'gede:1', role: 'human_author', pr: 0, evalOnly: true });
  t.equal(e!.split, 'test');
  t.equal(e!.evalOnly, true);
  t.equal(makeRow({ key: '1', text: '  ', source: 's', subset: 's', domain: 'd', group: 'g', role: null, llm: true, pr: null }), null);
});

t.test('CSV parser: quotes, escaped quotes, newlines, other delimiters', async (t) => {
  t.same(parseCsv('a,b\n"x, y","he said ""hi""\nok"\n'), [['a', 'b'], ['x, y', 'he said "hi"\nok']]);
  t.same(parseCsv(';q;h\n1;"a;b";c', ';'), [['', 'q', 'h'], ['1', 'a;b', 'c']], 'semicolons');
});
