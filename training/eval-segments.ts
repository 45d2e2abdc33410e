/**
 * `npm run eval` (after eval-text): the answer's `segments` measured as the service computes them (the text
 * detector with the shipped heads and encoder, `segments: true`) on the test split's extended texts of known PR and
 * its long human texts: segment AUROC, and the human part's end read off the segments (humanPartEnd,
 * changePointEnd: segment-boundary.ts) against the true boundary and two estimates that read no segment. The
 * data and the method are stated in the section it writes, models/card/segments.md (the first paragraph below).
 *
 *   npx tsx training/eval-segments.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTextCorpus } from './datasets/text.js';
import { cutAtWord, wordCount, type TextRow } from './datasets/text-common.js';
import { DEFAULT_CAPS, sampleRows } from './datasets/text-pipeline.js';
import { loadTextDetector } from '../src/detectors/text.js';
import { changePointEnd, humanPartEnd } from './segment-boundary.js';
import { auroc } from './datasets/judgments-pipeline.js';
import { openEmbedder } from './train-text.js';

const log = (m: string) => console.error(`[eval-segments] ${m}`);
const PER_SOURCE = 150;
const PER_SOURCE_HUMAN = 50;
/** the service's segments: sentence groups of at least this many words */
const SEGMENT_WORDS = 60;
const MIN_WORDS = 2 * SEGMENT_WORDS;
const cardPath = path.resolve('models/card/segments.md');
const t0 = Date.now();

const sample = sampleRows(loadTextCorpus({ includeEval: false }), DEFAULT_CAPS);
const long = (r: TextRow) => wordCount(r.text) >= MIN_WORDS;
const perSource = (rs: TextRow[], cap = PER_SOURCE) => {
  const n = new Map<string, number>();
  return rs.filter((r) => {
    const c = n.get(r.source) ?? 0;
    n.set(r.source, c + 1);
    return c < cap;
  });
};
const extended = perSource(sample.filter((r) => r.split === 'test' && !r.mined && r.role === 'llm_extender' && r.pr !== null && long(r)));
const humans = perSource(sample.filter((r) => r.split === 'test' && !r.mined && r.role === 'human_author' && long(r)), PER_SOURCE_HUMAN);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const constantShare = median(sample.filter((r) => r.split === 'train' && !r.mined && r.role === 'llm_extender' && r.pr !== null).map((r) => 1 - (r.pr as number)));
if (!extended.length) throw new Error('no extended texts with a known PR in the test split');

const enc = await openEmbedder(path.resolve('models/encoder'), 'fp32');
if (!enc.embedder) throw new Error('no encoder at models/encoder');
const detector = await loadTextDetector({ modelDir: path.resolve('models'), embedder: enc.embedder });
const threshold = (detector.describe().thresholds as { ai_probability: number }).ai_probability;
const thresholds = [0.5, threshold];

interface Scored {
  row: TextRow;
  words: number;
  trueWords: number;
  ratio: number;
  segments: { start: number; end: number; ai_probability: number }[];
}
async function score(rows: TextRow[]): Promise<Scored[]> {
  const out: Scored[] = [];
  for (const row of rows) {
    const a = await detector.analyze({ text: row.text, tasks: ['involvement'], segments: true, explain: false });
    const words = wordCount(row.text);
    out.push({ row, words, trueWords: row.pr === null ? words : Math.round((1 - row.pr) * words), ratio: a.involvement?.ratio ?? NaN, segments: a.segments ?? [] });
    if (out.length % 100 === 0) log(`${out.length} / ${rows.length} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  return out;
}
const ext = await score(extended);
const hum = await score(humans);
await enc.embedder.close();

const wordsBefore = (text: string, offset: number) => wordCount(text.slice(0, offset));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** the boundary estimates, each as the words of the human part it gives */
interface Estimator { name: string; column: string; words: (x: Scored) => number }
const firstSegment = (t: number): Estimator => ({
  name: `the first segment >= ${t}`,
  column: `error, first segment >= ${t}`,
  words: (x) => wordsBefore(x.row.text, humanPartEnd(x.segments, t, x.row.text.length)),
});
const estimators: Estimator[] = [
  ...thresholds.map(firstSegment),
  { name: 'the change point', column: 'error, change point', words: (x) => wordsBefore(x.row.text, changePointEnd(x.segments, x.row.text.length)) },
  { name: 'the whole-text ratio', column: 'error from the ratio', words: (x) => Math.round((1 - x.ratio) * x.words) },
  { name: 'the constant', column: 'error of the constant', words: (x) => Math.round(constantShare * x.words) },
];
const [atHalf, atDefault, changePoint, fromRatio, constant] = estimators.map((e) => e.name);

interface Row { label: string; n: number; segments: number; auroc: number; errors: Record<string, number[]> }
function measure(label: string, xs: Scored[]): Row {
  const inHuman: number[] = [];
  const inLlm: number[] = [];
  let nSeg = 0;
  for (const x of xs) {
    const boundary = cutAtWord(x.row.text, x.trueWords).offset;
    for (const s of x.segments) {
      nSeg++;
      if (s.end <= boundary) inHuman.push(s.ai_probability);
      else if (s.start >= boundary) inLlm.push(s.ai_probability);
    }
  }
  const errors = Object.fromEntries(estimators.map((e) => [e.name, xs.map((x) => Math.abs(e.words(x) - x.trueWords))]));
  const a = inHuman.length && inLlm.length ? auroc([...inHuman, ...inLlm], [...inHuman.map(() => 0), ...inLlm.map(() => 1)]) : NaN;
  return { label, n: xs.length, segments: nSeg, auroc: a, errors };
}
const sources = [...new Set(ext.map((x) => x.row.source))].sort();
const table = [...sources.map((s) => measure(s, ext.filter((x) => x.row.source === s))), measure('all', ext)];

const md: string[] = [];
md.push('# Segments: where the LLM part of a text starts');
md.push('');
md.push(
  `Measured ${new Date().toISOString()} by \`npx tsx training/eval-segments.ts\` (part of \`npm run eval\`) in ${Math.round((Date.now() - t0) / 1000)} s, ` +
    `heads ${detector.model.version} through the service's text detector (\`segments: true\`: sentence groups of at least ${SEGMENT_WORDS} words, as served, each scored by the heads on its own). ` +
    `Data: the test split's extended texts (llm_extender rows with a known PR, not the rows mined from them) of at least ${MIN_WORDS} words, at most ${PER_SOURCE} per data set, and the same split's human texts of at least ${MIN_WORDS} words (at most ${PER_SOURCE_HUMAN} per data set). ` +
    'The true boundary is where the first round((1 - PR) x words) whitespace words end. The boundary estimate is the start of the first segment whose ai_probability reaches the threshold (none: all human), or the change point (the segment start j maximising sum_{i < j} log(1 - p_i) + sum_{i >= j} log p_i); ' +
    `next to it, two estimates that read no segment: the whole text's involvement ratio (boundary after round((1 - ratio) x words) words) and a constant (the train split's median human share of extended texts, ${constantShare.toFixed(3)}).`,
);
md.push('');
md.push(`| data set | extended texts | segments | segment AUROC (human part vs continuation) | ${estimators.map((e) => e.column).join(' | ')} |`);
md.push(`|---|---:|---:|---:|${estimators.map(() => '---:').join('|')}|`);
for (const r of table) {
  md.push(`| ${r.label === 'all' ? '**all**' : r.label} | ${r.n} | ${r.segments} | ${Number.isNaN(r.auroc) ? '-' : r.auroc.toFixed(3)} | ${estimators.map((e) => `${median(r.errors[e.name]).toFixed(0)} / ${mean(r.errors[e.name]).toFixed(0)}`).join(' | ')} |`);
}
md.push('');
md.push('Errors in words, median / mean of |estimated - true| words of the human part.');
md.push('');
const all = table[table.length - 1];
const words = ext.map((x) => x.words);
md.push(
  `- The extended texts have ${median(words).toFixed(0)} words (median; their human part ${median(ext.map((x) => x.trueWords)).toFixed(0)}). ` +
    `Read off the segments at 0.5 the boundary is off by ${median(all.errors[atHalf]).toFixed(0)} words (median), at the default threshold ${threshold} by ${median(all.errors[atDefault]).toFixed(0)}, by their change point ${median(all.errors[changePoint]).toFixed(0)}; ` +
    `the whole-text ratio gives ${median(all.errors[fromRatio]).toFixed(0)} and the constant ${median(all.errors[constant]).toFixed(0)}.`,
);
const spread = (xs: Scored[]) => {
  const sh = xs.map((x) => x.trueWords / x.words).sort((a, b) => a - b);
  return sh.length ? sh[Math.floor(0.9 * (sh.length - 1))] - sh[Math.floor(0.1 * (sh.length - 1))] : NaN;
};
md.push(
  `- Best estimate per set (lowest median error): ${table.slice(0, -1).map((r) => `${r.label} ${estimators.map((e) => e.name).reduce((b, k) => (median(r.errors[k]) < median(r.errors[b]) ? k : b))}`).join(', ')}. ` +
    `How much the true human share varies from text to text (10th-90th percentile range): ${sources.map((s) => `${s} ${spread(ext.filter((x) => x.row.source === s)).toFixed(2)}`).join(', ')}; ` +
    `the less it varies, the harder a constant is to beat, and a human part shorter than one segment (${SEGMENT_WORDS} words) cannot be located by segments at all.`,
);
const flaggedHuman = (t: number) => hum.filter((x) => x.segments.some((s) => s.ai_probability >= t)).length / Math.max(1, hum.length);
md.push(
  `- Human texts of at least ${MIN_WORDS} words (${hum.length}, test split, at most ${PER_SOURCE_HUMAN} per set, ${[...new Set(hum.map((x) => x.row.source))].length} sets) with some segment at or above the threshold, so given a boundary they do not have: ` +
    `${thresholds.map((t) => `${pct(flaggedHuman(t))} at ${t}`).join(', ')}.`,
);
md.push('');
writeFileSync(cardPath, md.join('\n'));
console.log(md.join('\n'));
log(`wrote ${cardPath} (${Math.round((Date.now() - t0) / 1000)} s)`);
