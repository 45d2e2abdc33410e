/**
 * Issue 4's choice of encoder: the text detectors' leave-one-source-out numbers with each candidate encoder,
 * same head recipe, same (smaller) deterministic sample, fp32 embeddings of the whole text.
 *
 *   npx tsx training/compare-encoders.ts [--out FILE] NAME=DIR [NAME=DIR ...]
 *   e.g. npx tsx training/compare-encoders.ts a=models/encoder b=training/.cache/encoders/minilm-roles
 *
 * For each encoder: `TEXT_CAPS=small train-text --encoder DIR --out training/.cache/compare/NAME` then
 * `eval-text --heads ... --encoder DIR` (leave-one-source-out retrains the same recipe without each data
 * set). Runs already done (metrics.json present) are reused; delete the folder to redo one. Writes a
 * markdown table (default models/card/details/encoder-comparison.md) that the card's history (models/card/history.md) links to.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const oi = args.indexOf('--out');
const out = path.resolve(oi >= 0 ? args[oi + 1] : 'models/card/details/encoder-comparison.md');
const pairs = args.filter((a, i) => a.includes('=') && !(oi >= 0 && i === oi + 1)).map((a) => a.split('=') as [string, string]);
if (!pairs.length) {
  console.error('usage: npx tsx training/compare-encoders.ts [--out FILE] NAME=DIR [NAME=DIR ...]');
  process.exit(2);
}

interface Role { macro_f1: number; accuracy: number; ece: number }
interface Block { role: Role | null; involvement: { mae: number } | null; fpr_human: number | null; recall_llm: number | null }
interface Metrics {
  loso_mean: { macro_f1: number; mae: number };
  per_source: { all: { test: Block } };
  gede: { fpr_human_ielts?: { value: number | null }; recall_fully_generated?: { value: number | null } };
}

const rows: string[] = [];
for (const [name, dir] of pairs) {
  const heads = path.resolve('training/.cache/compare', name);
  const env = { ...process.env, TEXT_CAPS: 'small', ENCODER_PRECISION: 'fp32' };
  if (!existsSync(path.join(heads, 'metrics.json'))) {
    execFileSync('npx', ['tsx', 'training/train-text.ts', '--encoder', dir, '--out', heads], { stdio: 'inherit', env });
    execFileSync('npx', ['tsx', 'training/eval-text.ts', '--heads', heads, '--encoder', dir, '--card', path.join(heads, 'card.md')], { stdio: 'inherit', env });
  }
  const m = JSON.parse(readFileSync(path.join(heads, 'metrics.json'), 'utf8')) as Metrics;
  const enc = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { id: string; dim: number; max_length: number; architecture?: { parameters?: number }; training?: { recipe?: string; steps_done?: number } };
  const t = m.per_source.all.test;
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  rows.push(
    `| ${name} | ${enc.id} (${dir}) | ${enc.dim} | ${enc.max_length} | ${enc.architecture?.parameters ? (enc.architecture.parameters / 1e6).toFixed(2) + ' M' : '-'} | **${f(m.loso_mean.macro_f1)}** | **${f(m.loso_mean.mae)}** | ${f(t.role?.macro_f1)} | ${f(t.involvement?.mae)} | ${pct(m.gede.fpr_human_ielts?.value)} | ${pct(m.gede.recall_fully_generated?.value)} |`,
  );
}
const md = [
  '## Encoder starting points compared (issue 4)',
  '',
  `\`npx tsx training/compare-encoders.ts ${pairs.map(([n, d]) => `${n}=${d}`).join(' ')}\` (${new Date().toISOString().slice(0, 10)}): the same`,
  'text-head recipe (features + the encoder\'s fp32 embedding of the whole text), the same deterministic smaller sample',
  '(`TEXT_CAPS=small`: at most 300 train / 150 validation / 150 test rows per data set x role stratum), the same splits.',
  'LOSO = leave-one-source-out: retrain without a data set, test on it; mean over the 10 data sets.',
  '',
  '| option | encoder | dim | window | parameters | LOSO macro-F1 | LOSO PR MAE | test macro-F1 | test PR MAE | gede IELTS FPR | gede recall |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows,
  '',
];
writeFileSync(out, md.join('\n'));
console.log(md.join('\n'));
