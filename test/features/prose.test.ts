// notProse (issue 48): code, tables, lists of links and numbers are named; prose in any language is not.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { notProse } from '../../src/features/prose.js';

const root = path.resolve(import.meta.dirname, '../..');
const langs = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/languages.json'), 'utf8')) as Record<string, string[] | string>;
const outside = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/outside.json'), 'utf8')) as Record<string, string>;
const roleExamples = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/role-examples.json'), 'utf8')) as { texts: { id: string; text: string }[] };

t.test('prose is prose: the role examples, every language fixture, the issue\'s German and Chinese inputs', async (t) => {
  for (const x of roleExamples.texts) t.equal(notProse(x.text), null, x.id);
  for (const [lang, texts] of Object.entries(langs)) if (Array.isArray(texts)) for (const s of texts) t.equal(notProse(s), null, lang);
  t.equal(notProse(outside.german), null);
  t.equal(notProse(outside.chinese), null);
  t.equal(notProse(''), null);
  const listy = 'Here are a few tips:\n\n1. Keep a consistent schedule.\n2. Avoid caffeine in the afternoon.\n3. Keep the bedroom dark and cool.\n\nTalk to a doctor if it persists.';
  t.equal(notProse(listy), null, 'a list of sentences is prose');
  const withSnippet = 'To install the package, open a terminal in your project and run the command below. It downloads the package and records it in package.json, so that a colleague who clones the repository gets the same version.\n\n```\nnpm install left-pad\n```\n\nThen import it where you need it and call it with the string and the length you want; the README lists the options.';
  t.equal(notProse(withSnippet), null, 'prose around a short code block is prose');
  t.equal(notProse('-- Fetch me the copies of everything.\n\n-- You heard me. Get busy.\n\nHe left the tent.'), null, 'dialogue dashes are not SQL comments');
});

t.test('code, tables, links and numbers are named', async (t) => {
  t.match(notProse(outside.python), { kind: 'code' }, 'the issue\'s six lines of Python');
  const js = 'function add(a, b) {\n  const sum = a + b;\n  return sum;\n}\nconsole.log(add(1, 2));\n';
  t.match(notProse(js), { kind: 'code' });
  const c = '#include <stdio.h>\nint main(void) {\n  printf("hi\\n");\n  return 0;\n}\n';
  t.match(notProse(c), { kind: 'code' });
  const md = '| city | people | area |\n|---|---:|---:|\n| Oslo | 709000 | 454 |\n| Bergen | 289000 | 465 |\n| Trondheim | 212000 | 342 |';
  t.match(notProse(md), { kind: 'table' });
  const csv = 'name,age,city\nAnna,34,Oslo\nBen,28,Bergen\nCleo,41,Trondheim\nDan,22,Stavanger';
  t.match(notProse(csv), { kind: 'table' });
  const urls = 'https://example.org/a\nhttps://example.org/b\nhttps://example.com/c?x=1\nwww.example.net';
  t.match(notProse(urls), { kind: 'url_list' });
  t.match(notProse('2024-01-01 12.5 13.1 11.9\n2024-01-02 12.9 13.4 12.2\n2024-01-03 13.3 13.9 12.8'), { kind: 'symbols' });
  for (const s of [outside.python, md, urls]) {
    const p = notProse(s)!;
    t.ok(p.share > 0 && p.share <= 1, `share ${p.share}`);
  }
});
