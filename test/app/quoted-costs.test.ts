/**
 * Costs quoted to users come from the benchmark that measured them (issue 46: the schema said "about 3 s" per
 * text while bench/RESULTS.md measured 0.8 s). Each quote is checked against the number parsed from
 * bench/RESULTS.md, so that a new `npm run bench` that moves a number fails here until the quotes follow. The
 * hand-written encoder section of the card is checked the same way against models/encoder/config.json, the files
 * and models/heads/int8-cost.json (the other sections are rendered from the metrics files by the eval scripts).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { textRequest } from '../../src/schemas/text.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');
const RESULTS = read('bench/RESULTS.md');
const README = read('README.md');
const CARD = read('models/MODEL_CARD.md');

/** the text of bench/RESULTS.md's section `## N. ...`, up to the next `## ` */
function section(n: string): string {
  const hit = RESULTS.split(/^## /m).find((s) => s.startsWith(`${n}. `));
  if (!hit) throw new Error(`bench/RESULTS.md has no section ${n}`);
  return hit;
}

/** the cells of the first table row of `text` whose first cell starts with `label` */
function row(text: string, label: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`| ${label}`));
  if (!line) throw new Error(`no row "${label}"`);
  return line.slice(1, -1).split('|').map((c) => c.trim());
}

const describe = (name: string): string => CONFIG_VARIABLES.find((v) => v.name === name)?.description ?? '';

t.test('the likelihood model: about 0.8 s per text, as bench/RESULTS.md section 10 measured', async (t) => {
  const s10 = section('10');
  // | what | tokens | ms per text (median) | texts/s | note |
  const likelihoodMs = Number(row(s10, 'int4 (shipped), 500 words, first 256 tokens')[2]);
  const encoderMs = Number(row(s10, 'encoder (shipped, fp32), 500 words')[2]);
  t.ok(likelihoodMs > 0 && encoderMs > 0, `section 10: likelihood ${likelihoodMs} ms, encoder ${encoderMs} ms per 500-word text`);
  const seconds = (likelihoodMs / 1000).toFixed(1);
  const quote = `about ${seconds} s per text`;

  const schema = textRequest({ maxTextChars: 100, maxBatchItems: 2 }).properties.likelihood.description ?? '';
  t.match(schema, quote, `the request schema's likelihood option says "${quote}"`);
  t.match(schema, 'bench/RESULTS.md section 10');
  const openapi = read('openapi/openapi.json');
  const inOpenapi = [...openapi.matchAll(/costs about ([\d.]+) s/g)].map((m) => m[1]);
  t.ok(inOpenapi.length > 0, 'openapi/openapi.json quotes the cost');
  t.same([...new Set(inOpenapi)], [seconds], 'openapi/openapi.json quotes the same cost (npm run openapi)');

  t.match(README, `costs ${quote} on the CPU, some ${Math.round(likelihoodMs / encoderMs)} times the encoder's pass over a 500-word text`, 'README, API section');
  const setting = README.split('\n').find((l) => l.startsWith('| `LIKELIHOOD` |')) ?? '';
  t.match(setting, `${quote} on the CPU, bench/RESULTS.md section 10`, 'README, settings table');
  t.match(describe('LIKELIHOOD'), quote, 'src/config.ts');
  // the model card's likelihood section points at section 10 and quotes no cost of its own
  for (const [name, text] of [['models/card/likelihood.md', read('models/card/likelihood.md')], ['models/MODEL_CARD.md', CARD]]) {
    t.match(text, 'bench/RESULTS.md section 10 has the cost per text', name);
    t.notMatch(text, /[\d.]+ s (a|per) 500-word text/, `${name} quotes no likelihood cost`);
  }
});

t.test("the encoder's cost in the card: the service's 500-word docs/s and peak RSS of bench/RESULTS.md section 3c", async (t) => {
  const s3c = section('3c');
  // | 500 words | service best docs/s | raw fp32 docs/s right after | service / raw |
  const best = (label: string): string =>
    s3c.split('\n').find((l) => l.startsWith(`| ${label}`) && l.split('|').length === 6)?.split('|')[2].trim() ?? '';
  const shipped = best('shipped: ');
  const onePass = best('previous: llmprov-encoder-small 1.1.0, one pass');
  const seven = best('previous: llmprov-encoder-small 1.1.0, seven passes');
  // | encoder + heads | words | concurrency | requests | non-2xx | docs/s | p50 ms | p99 ms | peak RSS MiB |
  const rss = (prefix: string): string => {
    const v = s3c.split('\n').filter((l) => l.startsWith(`| ${prefix}`) && l.split('|').length === 11).map((l) => Number(l.split('|')[9]));
    return `${Math.min(...v)}-${Math.max(...v)}`;
  };
  const quote = `through the service ${shipped} 500-word texts/s against ${onePass} for the scratch encoder it replaced with one pass, above the ${seven} of the seven-pass design that issue 33 started from; peak RSS ${rss('shipped: ')} MiB against ${rss('previous: llmprov-encoder-small 1.1.0, one pass')} (bench/RESULTS.md, section 3c)`;
  t.match(read('models/card/encoder.md'), quote, 'models/card/encoder.md');
  t.match(CARD, quote, 'models/MODEL_CARD.md');
});

t.test('int8: about 1.4x the raw fp32 throughput, as bench/RESULTS.md section 1 measured', async (t) => {
  const s1 = section('1');
  // | precision | words/doc | tokens/doc | windows/doc | batch | windows/s | tokens/s | docs/s |, the best batch
  const best = (precision: string): number =>
    Number(s1.split('\n').find((l) => l.startsWith(`| ${precision} | 500 |`) && l.includes('(best)'))?.split('|')[8]);
  const ratio = (best('int8') / best('fp32')).toFixed(1);
  t.ok(Number(ratio) > 1, `section 1, 500 words, best batch: int8 ${best('int8')} / fp32 ${best('fp32')} docs/s`);
  const setting = README.split('\n').find((l) => l.startsWith('| `ENCODER_PRECISION` |')) ?? '';
  t.match(setting, `about ${ratio}x the raw encoder throughput (bench/RESULTS.md section 1`, 'README, settings table');
  t.match(describe('ENCODER_PRECISION'), `about ${ratio}x the raw encoder throughput, bench/RESULTS.md section 1`, 'src/config.ts');
});

t.test("int8's cost in decisions and speed: models/heads/int8-cost.json and bench/RESULTS.md section 1b, as README, config and card quote them", async (t) => {
  const c = JSON.parse(read('models/heads/int8-cost.json'));
  const f3 = (x: number): string => x.toFixed(3);
  const pct = (x: number, d = 1): string => `${(100 * x).toFixed(d)}%`;
  const n = (x: number): string => x.toLocaleString('en-US');
  const same = 1 - c.test_changed.decision / c.test_changed.of;
  const setting = README.split('\n').find((l) => l.startsWith('| `ENCODER_PRECISION` |')) ?? '';
  t.match(setting, `the same decision as fp32 on ${pct(same)} of the test split`, 'README, settings table');
  t.match(describe('ENCODER_PRECISION'), `the same decision as fp32 on ${pct(same)} of the test split`, 'src/config.ts');
  const enc = read('models/card/encoder.md');
  t.match(enc, `and it is ${pct(same, 2)}.`, 'models/card/encoder.md: the share against the 99.5% bar');
  const e = c.embedding_cosine;
  t.match(enc, `over the ${n(e.rows)} texts of the test split and gede, int8-vs-fp32 cosine of the whole-text embedding min ${f3(e.min)}, 1st percentile ${f3(e.p01)}, median ${f3(e.median)}`);
  t.match(enc, `test split (${n(c.test_changed.of)} texts) role macro-F1 ${f3(c.fp32.test_macro_f1)} (fp32) -> ${f3(c.int8.test_macro_f1)} (int8), PR MAE ${f3(c.fp32.test_pr_mae)} -> ${f3(c.int8.test_pr_mae)}, human FPR ${pct(c.fp32.test_fpr_human)} -> ${pct(c.int8.test_fpr_human)}`);
  t.match(enc, `${c.test_changed.role_label} role labels (${pct(c.test_changed.role_label / c.test_changed.of)}) and ${c.test_changed.decision} decisions (${pct(c.test_changed.decision / c.test_changed.of, 2)}) differ, AI probability moves by at most ${f3(c.max_change.ai_probability)}, the ratio by at most ${f3(c.max_change.involvement_ratio)}`);
  // | file | scheme | cosine min / median | moved in a batch | raw docs/s 100 words | raw docs/s 500 words |
  const s1b = section('1b');
  const docs500 = (label: string): string => row(s1b, label)[5];
  t.match(enc, `raw 500-word docs/s fp32 ${docs500('model.onnx (fp32)')}, row-s7 ${docs500('model.int8.onnx (2.0.1)')}, 2.0.0's int8 ${docs500('model.int8.onnx (2.0.0)')} (bench/RESULTS.md section 1b`, 'models/card/encoder.md: the speed');
  t.ok(CARD.includes(enc.trim().split('\n').find((l) => l.startsWith('- Default stays fp32')) ?? '-'), 'models/MODEL_CARD.md carries the section');
});

t.test("the encoder section's data and files: models/encoder/config.json and the files themselves", async (t) => {
  const c = JSON.parse(read('models/encoder/config.json'));
  const enc = read('models/card/encoder.md');
  const data = Object.entries(c.training.data as Record<string, { train_rows: number }>);
  const rows = data.reduce((a, [, v]) => a + v.train_rows, 0);
  t.match(enc, `of ${data.length} sets, ${rows.toLocaleString('en-US')} rows: ${data.map(([k]) => k).join(', ')}.`, 'the fine-tuning data');
  const mb = (f: string): string => (statSync(path.join(ROOT, 'models/encoder', f)).size / 1e6).toFixed(1);
  const v = c.training.verification;
  t.match(enc, `\`model.onnx\` ${mb('model.onnx')} MB (fp32; fp32 ONNX vs torch: max abs difference ${v.onnx_fp32_vs_torch_max_abs_diff.toExponential(1)} on ${v.onnx_samples} samples) and \`model.int8.onnx\` ${mb('model.int8.onnx')} MB`);
});

t.test("TEXT_HEADS_DIR's comparison in the README: the two heads' metrics.json (gede) and wider.json (ellipse)", async (t) => {
  const json = (p: string) => JSON.parse(read(p));
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const [d, f] = ['heads', 'heads-features-only'].map((h) => ({ m: json(`models/${h}/metrics.json`), w: json(`models/${h}/wider.json`) }));
  const line = README.split('\n').find((l) => l.startsWith('| `TEXT_HEADS_DIR`'))!;
  t.match(line, `IELTS essays by adult non-native writers (${pct(f.m.gede.fpr_human_ielts.value)} against ${pct(d.m.gede.fpr_human_ielts.value)})`);
  t.match(line, `younger English learners (${pct(f.w.fairness.shipped.human_ellipse_flagged.flagged)} against ${pct(d.w.fairness.shipped.human_ellipse_flagged.flagged)})`);
  t.match(line, `catches fewer generated essays (${pct(f.m.gede.recall_fully_generated.value)} against ${pct(d.m.gede.recall_fully_generated.value)}`);
  t.match(line, `heads ${f.m.heads_version.split('+')[0]},`);
});
