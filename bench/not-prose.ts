/**
 * How often the not-prose rules (src/features/prose.ts, issue 48) fire on the corpus' English texts: by
 * human and LLM side, kind and data set, and how long they take. Needs ../shared/data (the training
 * loaders); not a test.
 *
 *   npx tsx bench/not-prose.ts            prints the markdown block
 *   npx tsx bench/not-prose.ts --write    also writes it into bench/RESULTS.md (between not-prose:start/end)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notProse } from '../src/features/prose.js';
import { loadTextCorpus } from '../training/datasets/text.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const START = '<!-- not-prose:start -->';
const END = '<!-- not-prose:end -->';

const rows = loadTextCorpus().filter((r) => r.lang === 'en');
/** comnets-homework's programming questions: student and LLM answers that are code by design */
const codeQuestion = (id: string) => id.startsWith('comnets-homework:') && id.includes('(code)');
interface Tally { n: number; hit: number }
const tally = () => ({ n: 0, hit: 0 });
const sides = { human: tally(), llm: tally(), humanProse: tally(), llmProse: tally(), humanTest: tally(), llmTest: tally() };
const kinds = new Map<string, number>();
const bySource = new Map<string, { human: Tally; llm: Tally }>();
const examples: string[] = [];
let ms = 0;
for (const r of rows) {
  const t0 = performance.now();
  const p = notProse(r.text);
  ms += performance.now() - t0;
  const human = r.role === 'human_author';
  const hit = p ? 1 : 0;
  const add = (t: Tally) => {
    t.n++;
    t.hit += hit;
  };
  add(human ? sides.human : sides.llm);
  if (!codeQuestion(r.id)) add(human ? sides.humanProse : sides.llmProse);
  if (r.split === 'test') add(human ? sides.humanTest : sides.llmTest);
  const s = bySource.get(r.source) ?? { human: tally(), llm: tally() };
  add(human ? s.human : s.llm);
  bySource.set(r.source, s);
  if (p) {
    kinds.set(`${human ? 'human' : 'LLM'} ${p.kind}`, (kinds.get(`${human ? 'human' : 'LLM'} ${p.kind}`) ?? 0) + 1);
    if (!codeQuestion(r.id) && examples.length < 12 && !r.source.startsWith('apt-eval')) examples.push(`- ${p.kind} (${p.share}), ${r.id}: ${JSON.stringify(r.text.slice(0, 90))}`);
  }
}
const pct = (t: Tally) => (t.n ? `${((100 * t.hit) / t.n).toFixed(2)}% (${t.hit} / ${t.n})` : '-');
const block = [
  START,
  '## 12. Not prose (issue 48)',
  '',
  `\`npx tsx bench/not-prose.ts --write\` on ${new Date().toISOString()}, load average ${os.loadavg()[0].toFixed(2)}: the rules of src/features/prose.ts (code, table, url_list, symbols) on every English text of the corpus (all splits, ${rows.length} texts), ` +
    `${((1000 * ms) / rows.length).toFixed(0)} µs per text. Target: under 0.5% on prose. comnets-homework's programming questions ("(code)" in the id) are answered in code by students and LLMs alike: counted in "all", left out of "prose".`,
  '',
  '| texts | human: fired | LLM: fired |',
  '|---|---:|---:|',
  `| all | ${pct(sides.human)} | ${pct(sides.llm)} |`,
  `| prose (without the programming questions) | ${pct(sides.humanProse)} | ${pct(sides.llmProse)} |`,
  `| test split | ${pct(sides.humanTest)} | ${pct(sides.llmTest)} |`,
  '',
  `By kind: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}. By data set (fired where any did): ` +
    [...bySource].filter(([, s]) => s.human.hit + s.llm.hit > 0).map(([k, s]) => `${k} human ${pct(s.human)}, LLM ${pct(s.llm)}`).join('; ') + '.',
  '',
  'What fires outside the programming questions and apt-eval (whose Llama-2 "polished" texts include degenerate output: runs of digits, "PAMSMS...", replacement characters), the first few:',
  '',
  ...examples,
  '',
  END,
].join('\n');
console.log(block);
if (process.argv.includes('--write')) {
  const file = path.join(ROOT, 'bench/RESULTS.md');
  const prev = readFileSync(file, 'utf8');
  const a = prev.indexOf(START);
  const b = prev.indexOf(END);
  writeFileSync(file, a >= 0 && b > a ? prev.slice(0, a) + block + prev.slice(b + END.length) : `${prev.trimEnd()}\n\n${block}\n`);
}
