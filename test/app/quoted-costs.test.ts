/**
 * Costs quoted to users come from the benchmark that measured them (issue 46: the schema said "about 3 s" per
 * text while bench/RESULTS.md measured 0.8 s). Each quote is checked against the number parsed from
 * bench/RESULTS.md, so that a new `npm run bench` that moves a number fails here until the quotes follow.
 */
import { readFileSync } from 'node:fs';
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
  // the model card's likelihood section (training/eval-likelihood.ts reads the same row)
  const card = `at the ${seconds} s a 500-word text that bench/RESULTS.md section 10 measured`;
  t.match(read('models/card/likelihood.md'), card, 'models/card/likelihood.md');
  t.match(CARD, card, 'models/MODEL_CARD.md');
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
