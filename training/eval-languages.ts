/**
 * Issue 48: the shipped text heads, through the service's own detector, on the languages other than English that
 * the data holds (m4's German, Russian and Indonesian, hc3-plus's Chinese; rows the language identifier agrees
 * on, never a train row): human FPR at the default decision, LLM texts flagged, role read; a language may be
 * listed in models/heads/config.json languages.supported when its FPR is within 2 points of English's. Then what
 * the language gate, the not-prose rules and the word count change on the English test split. Writes
 * models/card/details/languages.json and models/card/languages.md (the rule and the data stated there); each English
 * difference carries the reason a reviewer gave (REVIEWED).
 *
 *   npx tsx training/eval-languages.ts [--per 150]
 *   npx tsx training/eval-languages.ts --english-only    only the English check, into the existing details
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEmbedder } from '../src/encoder/index.js';
import { decisionFor, loadTextDetector, textNotes, wordWarnings } from '../src/detectors/text.js';
import { languageName, loadLanguageIdentifier } from '../src/features/language.js';
import { loadTextCorpus } from './datasets/text.js';
import { loadHc3Plus, loadHppt, loadM4 } from './datasets/text-sources.js';
import { sharedDataDir } from './datasets/text-common.js';
import type { TextRow } from './datasets/text-common.js';

const log = (m: string) => console.error(`[eval-languages] ${m}`);
const argv = process.argv.slice(2);
const per = Number(argv[argv.indexOf('--per') + 1] ?? 150) || 150;
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const modelDir = path.join(root, 'models');
const t0 = Date.now();

const englishOnly = argv.includes('--english-only');
const detailsPath = path.join(modelDir, 'card/details/languages.json');
const cfg = JSON.parse(readFileSync(path.join(modelDir, 'heads/config.json'), 'utf8')) as { version: string; thresholds: { ai_probability: number }; languages?: { supported: string[] } };
const supported = cfg.languages?.supported ?? ['en'];
const id = await loadLanguageIdentifier();
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');

/** the exact (Clopper-Pearson) one-sided 97.5% upper bound of a rate seen k times in n: P(X <= k; n, p) = 0.025 */
export function upperBound(k: number, n: number): number {
  if (n === 0) return 1;
  if (k >= n) return 1;
  const cdf = (p: number) => {
    let term = (1 - p) ** n;
    let sum = term;
    for (let i = 1; i <= k; i++) {
      term *= ((n - i + 1) / i) * (p / (1 - p));
      sum += term;
    }
    return sum;
  };
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) > 0.025) lo = mid;
    else hi = mid;
  }
  return hi;
}

interface LanguageResult { lang: string; sets: string[]; human: number; fpr_human: number; llm: number; recall_llm: number; role_accuracy: number | null; within_2_points_of_english: boolean }
interface Details { created: string; heads_version: string; threshold: number; english_test_fpr_human: number; english_test_recall: number; per: number; identifier: string; languages: LanguageResult[]; english_test_split?: Record<string, unknown> }

async function measureLanguages(): Promise<Details> {
  const data = sharedDataDir();
  const rows: (TextRow & { set: string })[] = [
    ...loadM4(data).filter((r) => r.lang !== 'en' && r.split !== 'train').map((r) => ({ ...r, set: 'm4' })),
    ...loadHppt(data, { includeNonEnglish: true }).filter((r) => r.lang !== 'en').map((r) => ({ ...r, set: 'hppt' })),
    ...loadHc3Plus(data, { includeNonEnglish: true }).filter((r) => r.lang !== 'en').map((r) => ({ ...r, set: 'hc3-plus' })),
  ];
  // eld names Indonesian as the Malay macrolanguage (ms)
  const code = (lang: string) => (lang === 'id' ? 'ms' : lang);
  const agree = rows.filter((r) => id.identify(r.text).code === code(r.lang));
  log(`${rows.length} rows, ${agree.length} where the identifier agrees with the data set's language`);

  /** at most n, evenly spread over the list */
  function spread<T>(xs: T[], n: number): T[] {
    if (xs.length <= n) return xs;
    return Array.from({ length: n }, (_, i) => xs[Math.floor((i * xs.length) / n)]);
  }
  const groups = new Map<string, (TextRow & { set: string })[]>();
  for (const r of agree) {
    const k = `${r.lang}\u0000${r.set}\u0000${r.role === 'human_author' ? 'human' : 'llm'}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const picked = [...groups.values()].flatMap((g) => spread(g, per));

  const embedder = await createEmbedder({ dir: path.join(modelDir, 'encoder'), precision: 'fp32', device: 'cpu' });
  const det = await loadTextDetector({ modelDir, embedder });
  const metrics = JSON.parse(readFileSync(path.join(modelDir, 'heads/metrics.json'), 'utf8')) as {
    per_source: { all: { test: { fpr_human: number } } };
    test_recall_by_decision_rate: Record<string, number>;
  };
  const englishFpr = metrics.per_source.all.test.fpr_human;

  interface Cell { lang: string; set: string; human: number; flaggedHuman: number; llm: number; flaggedLlm: number; roleKnown: number; roleRight: number; meanAiHuman: number; meanAiLlm: number }
  const cells = new Map<string, Cell>();
  let done = 0;
  for (const r of picked) {
    const a = await det.analyze({ text: r.text, tasks: ['role'], segments: false, explain: false });
    const k = `${r.lang}\u0000${r.set}`;
    const c = cells.get(k) ?? { lang: r.lang, set: r.set, human: 0, flaggedHuman: 0, llm: 0, flaggedLlm: 0, roleKnown: 0, roleRight: 0, meanAiHuman: 0, meanAiLlm: 0 };
    // the decision as the heads give it, before the language gate
    const flagged = decisionFor(a.ai_probability!, cfg.thresholds).flagged;
    if (r.role === 'human_author') {
      c.human++;
      c.flaggedHuman += flagged ? 1 : 0;
      c.meanAiHuman += a.ai_probability!;
    } else {
      c.llm++;
      c.flaggedLlm += flagged ? 1 : 0;
      c.meanAiLlm += a.ai_probability!;
    }
    if (r.role) {
      c.roleKnown++;
      c.roleRight += a.role!.label === r.role ? 1 : 0;
    }
    cells.set(k, c);
    if (++done % 100 === 0) log(`${done}/${picked.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await embedder.close();

  const byLang = new Map<string, Cell[]>();
  for (const c of cells.values()) byLang.set(c.lang, [...(byLang.get(c.lang) ?? []), c]);
  const langs = [...byLang.keys()].sort();
  const result = langs.map((lang) => {
    const cs = byLang.get(lang)!;
    const sum = (f: (c: Cell) => number) => cs.reduce((s, c) => s + f(c), 0);
    const fpr = sum((c) => c.flaggedHuman) / sum((c) => c.human);
    return {
      lang,
      sets: cs.map((c) => c.set).sort(),
      human: sum((c) => c.human),
      fpr_human: fpr,
      llm: sum((c) => c.llm),
      recall_llm: sum((c) => c.flaggedLlm) / sum((c) => c.llm),
      role_accuracy: sum((c) => c.roleKnown) ? sum((c) => c.roleRight) / sum((c) => c.roleKnown) : null,
      within_2_points_of_english: fpr <= englishFpr + 0.02,
      by_set: cs.map((c) => ({ set: c.set, human: c.human, fpr_human: c.flaggedHuman / c.human, llm: c.llm, recall_llm: c.flaggedLlm / c.llm, mean_ai_probability_human: c.meanAiHuman / c.human, mean_ai_probability_llm: c.meanAiLlm / c.llm })),
    };
  });

  const englishRecall = metrics.test_recall_by_decision_rate['0.05'];
  return { created: new Date().toISOString(), heads_version: cfg.version, threshold: cfg.thresholds.ai_probability, english_test_fpr_human: englishFpr, english_test_recall: englishRecall, per, identifier: id.name, languages: result };
}

/**
 * The differences a person read (issue 48 review, 2026-12-07), each with why the new answer is right; a
 * difference not listed here is rendered "not reviewed".
 */
const REVIEWED: Record<string, string> = {
  'hc3-plus:en_val_hc3_si:1814': 'half of it is Portuguese (a Portuguese blog post with its English translation interleaved): right to gate',
};
/** why the not-prose warnings of each set are right, as read in the same review (all 61 texts) */
const NOT_PROSE_REVIEWED: Record<string, string> = {
  'apt-eval': "llama2's degenerate polishing output (runs of digits, pipes, replacement characters)",
  'comnets-homework': 'homework answers in C or Python, equations and CSV tables',
  seqxgpt: 'ASCII tables and rows of figures',
};

interface EnglishDifference { id: string; source: string; kinds: string[]; detail: string; text: string }

/**
 * What issue 48 changes in the English answers of the test split: every text's answer before issue 48
 * (whitespace word count and its warnings, no language gate, no not-prose rule) against the answer now
 * (textNotes, src/detectors/text.ts, which analyze() uses), from the text alone. The heads' numbers are not
 * compared: their inputs (features, encoder text) are unchanged, so role, involvement, ai_probability and
 * the decision before the gate are the same. Identical = the same warnings and no gate (which is all that
 * can change the role's confidence or the decision); the added `language` field aside.
 */
function englishCheck(): Record<string, unknown> {
  const rows = loadTextCorpus().filter((r) => r.lang === 'en' && r.split === 'test');
  const heads = cfg as unknown as Parameters<typeof textNotes>[1];
  const differences: EnglishDifference[] = [];
  const uncertain: string[] = [];
  let uncertainOther = 0;
  let countChanged = 0;
  for (const r of rows) {
    const before = r.text.match(/\S+/g)?.length ?? 0;
    const was = wordWarnings(before, heads);
    const now = textNotes(r.text, heads, id);
    if (now.words !== before) countChanged++;
    if (now.language.uncertain) {
      uncertain.push(r.id);
      if (now.language.supported === false) uncertainOther++;
    }
    const kinds: string[] = [];
    const detail: string[] = [];
    if (now.gated) {
      kinds.push('gated');
      detail.push(`${now.language.code} ${now.language.confidence}`);
    }
    if (now.prose) {
      kinds.push('not_prose');
      detail.push(`${now.prose.kind} ${now.prose.share}`);
    }
    if (now.words !== before && JSON.stringify(wordWarnings(now.words, heads)) !== JSON.stringify(was)) {
      kinds.push('word_count');
      detail.push(`${before} -> ${now.words} words`);
    }
    if (kinds.length) differences.push({ id: r.id, source: r.source, kinds, detail: detail.join('; '), text: r.text.slice(0, 100) });
    else if (JSON.stringify(now.warnings) !== JSON.stringify(was)) throw new Error(`${r.id}: warnings differ for no known reason`);
  }
  const of = (k: string) => differences.filter((d) => d.kinds.includes(k));
  const tally = (xs: string[]) => Object.fromEntries([...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]));
  const proseKinds = tally(of('not_prose').map((d) => d.detail.match(/(code|table|url_list|symbols) /)![1]));
  const proseSets = tally(of('not_prose').map((d) => d.source));
  log(`English test split: ${rows.length} texts, ${rows.length - differences.length} answers identical; ${of('gated').length} gated, ${of('not_prose').length} not prose, ${of('word_count').length} word-count warnings differ (${countChanged} counts); ${uncertain.length} languages uncertain (${uncertainOther} not en)`);
  return {
    texts: rows.length,
    identical: rows.length - differences.length,
    gated: of('gated').map((d) => ({ id: d.id, language: d.detail, reason: REVIEWED[d.id] ?? 'not reviewed', text: d.text })),
    not_prose: of('not_prose').length,
    not_prose_kinds: proseKinds,
    not_prose_sets: Object.fromEntries(Object.entries(proseSets).map(([k, v]) => [k, { texts: v, reason: NOT_PROSE_REVIEWED[k] ?? 'not reviewed' }])),
    word_count_warnings_changed: of('word_count').map((d) => ({ id: d.id, words: d.detail, reason: REVIEWED[d.id] ?? 'not reviewed', text: d.text })),
    word_count_changed: countChanged,
    language_uncertain: uncertain.length,
    language_uncertain_not_en: uncertainOther,
    differences: differences.map((d) => ({ id: d.id, kinds: d.kinds, detail: d.detail, text: d.text })),
  };
}

const details: Details = englishOnly ? (JSON.parse(readFileSync(detailsPath, 'utf8')) as Details) : await measureLanguages();
details.english_test_split = englishCheck();
const result = details.languages;
const englishFpr = details.english_test_fpr_human;
const created = details.created;
interface Reasoned { id: string; reason: string; text: string }
const e = details.english_test_split as {
  texts: number;
  identical: number;
  gated: (Reasoned & { language: string })[];
  not_prose: number;
  not_prose_kinds: Record<string, number>;
  not_prose_sets: Record<string, { texts: number; reason: string }>;
  word_count_warnings_changed: (Reasoned & { words: string })[];
  word_count_changed: number;
  language_uncertain: number;
  language_uncertain_not_en: number;
};
const n = (x: number) => x.toLocaleString('en-US');
/** the English comparison's table: each remaining difference with its reason */
const englishRows = [
  ...e.gated.map((g) => `| decision not applicable: ${languageName(g.language.split(' ')[0])}, score ${g.language.split(' ')[1]} | 1 | ${g.id}: ${g.reason} |`),
  ...e.word_count_warnings_changed.map((w) => `| word count in the short-text warning: ${w.words} | 1 | ${w.id}: ${w.reason} |`),
  `| not prose: ${Object.entries(e.not_prose_kinds).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'} (warning, role confidence low; the decision applies) | ${e.not_prose} (${pct(e.not_prose / e.texts)}) | intended by issue 48 (target under 0.5%); all read: ${Object.entries(e.not_prose_sets).map(([k, v]) => `${k} ${v.texts}, ${v.reason}`).join('; ') || '-'} |`,
];
mkdirSync(path.dirname(detailsPath), { recursive: true });
writeFileSync(detailsPath, `${JSON.stringify(details, null, 2)}\n`);
const names = (rs: LanguageResult[]) => rs.map((r) => languageName(r.lang)).join(', ');
/** "German (de), Russian (ru) meet it ..." / "Chinese (zh) misses it ..." / '' */
const said = (rs: LanguageResult[], many: string, one: string, rest: string) => (rs.length ? `${names(rs)} ${rs.length > 1 ? many : one}${rest}` : '');
const bound = (r: LanguageResult) => upperBound(Math.round(r.fpr_human * r.human), r.human);
const md = [
  '# Languages: what the text heads answer for (issue 48)',
  '',
  `Every answer names the text's language (${details.identifier}); the heads answer for the languages in config.json \`languages.supported\`, now ${supported.map((l) => `\`${l}\``).join(', ')}. Any other language gets a warning naming it, role confidence low and \`decision.applicable: false\`. ` +
    `Measured by \`npx tsx training/eval-languages.ts\` (${created.slice(0, 10)}, heads ${details.heads_version}, the service's detector in fp32, the decision before the gate at the default threshold ${details.threshold}; rows the identifier agrees on, at most ${details.per} per set and side; m4 only its validation and test splits; hppt's Chinese and imbd's other languages are not in ../shared/data). ` +
    `A language may be listed when its human FPR is within 2 points of English's (${pct(englishFpr)} on the test split, where ${pct(details.english_test_recall)} of the LLM-involved texts are flagged; table below). ` +
    `Listed: a language that meets the rule with its upper bound too (${names(result.filter((r) => bound(r) <= englishFpr + 0.02)) || 'none does'}). ` +
    said(result.filter((r) => r.within_2_points_of_english && bound(r) > englishFpr + 0.02), 'meet', 'meets', ' it as measured, on too few human texts to show it. ') +
    said(result.filter((r) => !r.within_2_points_of_english), 'miss', 'misses', ' it. ') +
    'Per set and examples: models/card/details/languages.json. Languages without data here (Spanish, French, Japanese, ...) are unsupported: nothing measures them. ' +
    `A language named from fewer than 5 words with a letter (a name, a regex) is answered with \`uncertain: true\` and gates nothing.`,
  '',
  '| language | data (human / LLM texts) | human FPR (97.5% upper bound) | LLM texts flagged | role right (known roles) | FPR within 2 points: measured / bound |',
  '|---|---|---:|---:|---:|---|',
  ...result.map((r) => `| ${languageName(r.lang)} | ${r.sets.join(', ')} (${r.human} / ${r.llm}) | ${pct(r.fpr_human)} (${pct(bound(r))}) | ${pct(r.recall_llm)} | ${r.role_accuracy === null ? '-' : pct(r.role_accuracy)} | ${r.within_2_points_of_english ? 'yes' : 'no'} / ${bound(r) <= englishFpr + 0.02 ? 'yes' : 'no'} |`),
  '',
  `English before and after issue 48 (\`--english-only\`, from the texts alone: the heads' inputs are unchanged, so their numbers are too): of the corpus' ${n(e.texts)} English test texts, ${n(e.identical)} get the same answer as before, the added \`language\` field aside (${e.language_uncertain} of them uncertain, ${e.language_uncertain_not_en} named as another language; ${e.word_count_changed} word counts differ from the whitespace count, none in a warning unless listed). The others:`,
  '',
  '| difference | texts | reason |',
  '|---|---:|---|',
  ...englishRows,
];
writeFileSync(path.join(modelDir, 'card/languages.md'), `${md.join('\n')}\n`);
log(`wrote models/card/languages.md and details/languages.json in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
