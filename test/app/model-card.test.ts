/**
 * models/MODEL_CARD.md opens with the one-screen summary (scripts/card-summary.ts): a row per shipped
 * model, its numbers read from the metrics files, met / missed against the targets, and the domains
 * where the card's numbers show it failing; then one section per model (data, method, metrics against the
 * targets, known failures). The dated history is models/card/history.md, linked and not inlined (issue 46).
 * The committed card must be the one the committed metrics give: `npm run card` renders it again from them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { TEXT_TARGETS, summaryMarkdown, summaryRows } from '../../scripts/card-summary.js';
import { renderTextCard } from '../../training/eval-text.js';
import { TextHeads } from '../../src/heads/text-heads.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MODELS = path.join(ROOT, 'models');
const CARD = readFileSync(path.join(MODELS, 'MODEL_CARD.md'), 'utf8');
const read = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (p: string): any => JSON.parse(read(p));
const f3 = (x: number): string => x.toFixed(3);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const verdict = (ok: boolean): string => (ok ? 'met' : 'missed');

function sections(md: string): { heading: string; body: string }[] {
  const out: { heading: string; body: string }[] = [];
  for (const line of md.split('\n')) {
    if (/^#{1,2} /.test(line)) out.push({ heading: line, body: '' });
    else if (out.length) out[out.length - 1].body += `${line}\n`;
  }
  return out;
}

t.test('the card opens, after its title and one line, with the summary table', async (t) => {
  const lines = CARD.split('\n');
  t.equal(lines[0], '# llm-provenance model card');
  t.match(lines[2], /^Assembled by /);
  t.equal(lines[4], '## Summary: the shipped models against their targets', 'the first section is the summary');
  const first = sections(CARD)[1];
  t.match(first.body, /\| model \| trained on \| headline metrics \(target: met \/ missed\) \| known to fail on \|/);
  const tableRows = first.body.split('\n').filter((l) => l.startsWith('| **'));
  t.ok(tableRows.length <= 12, `one screen: ${tableRows.length} rows`);
});

t.test('the summary has a row per shipped model', async (t) => {
  const first = sections(CARD)[1].body;
  const shipped = ['heads'];
  if (existsSync(path.join(MODELS, 'heads-features-only', 'config.json'))) shipped.push('heads-features-only');
  if (existsSync(path.join(MODELS, 'likelihood', 'config.json'))) shipped.push('likelihood');
  const rubrics = Object.keys(JSON.parse(readFileSync(path.join(MODELS, 'judgments', 'config.json'), 'utf8')).rubrics);
  t.ok(rubrics.length >= 4, 'the judgment heads are shipped');
  shipped.push(...rubrics.map((r) => `judgments/${r}`));
  t.same(summaryRows(MODELS).map((r) => r.dir), shipped);
  t.match(first, /\| \*\*encoder \+ text heads\*\* \(default\): models\/encoder /);
  for (const d of shipped.filter((d) => d.startsWith('judgments/'))) t.match(first, `| **${d}**`, d);
});

t.test('the committed summary is what the committed metrics give', async (t) => {
  const expected = summaryMarkdown(MODELS).join('\n');
  t.ok(CARD.includes(expected), 'models/MODEL_CARD.md is stale: run npx tsx scripts/model-card.ts');
  const heads = JSON.parse(readFileSync(path.join(MODELS, 'heads', 'metrics.json'), 'utf8'));
  const row = summaryRows(MODELS)[0];
  t.match(row.metrics, `role macro-F1 ${heads.per_source.all.test.role.macro_f1.toFixed(3)} (>= 0.90 `);
  t.match(row.metrics, `PR MAE ${heads.loso_mean.mae.toFixed(3)} (<= 0.12 `);
  t.match(row.metrics, `human IELTS FPR ${(100 * heads.gede.fpr_human_ielts.value).toFixed(1)}% (< 5% `);
  const hs2 = JSON.parse(readFileSync(path.join(MODELS, 'judgments', 'helpsteer2', 'metrics.json'), 'utf8'));
  const hsRow = summaryRows(MODELS).find((r) => r.dir === 'judgments/helpsteer2');
  t.match(hsRow?.metrics, `AUROC k=1 ${hs2.k1.auroc.toFixed(3)}`);
});

/** the cells of the summary table's row whose model cell starts with `**label` */
function summaryRow(label: string): string[] {
  const line = sections(CARD)[1].body.split('\n').find((l) => l.startsWith(`| **${label}`));
  return line ? line.slice(2, -2).split(' | ') : [];
}

t.test('the summary quotes the metrics files: every headline number of every model, met / missed against its target', async (t) => {
  const T = TEXT_TARGETS;
  for (const [dir, label] of [['heads', 'encoder + text heads'], ['heads-features-only', 'text heads, features only']]) {
    const m = json(`models/${dir}/metrics.json`);
    const row = summaryRow(label);
    t.equal(row.length, 4, `a summary row for models/${dir}`);
    const [model, , metrics, fails] = row;
    t.match(model, `models/${dir} ${json(`models/${dir}/config.json`).version}`, 'the heads the numbers belong to');
    const test = m.per_source.all.test;
    const shows: string[] = [
      `role macro-F1 ${f3(test.role.macro_f1)} (>= ${T.randomMacroF1.toFixed(2)} ${verdict(test.role.macro_f1 >= T.randomMacroF1)})`,
      `PR MAE ${f3(test.involvement.mae)} (<= ${T.randomPrMae.toFixed(2)} ${verdict(test.involvement.mae <= T.randomPrMae)})`,
      `leave-one-source-out: macro-F1 ${f3(m.loso_mean.macro_f1)} (>= ${T.losoMacroF1.toFixed(2)} ${verdict(m.loso_mean.macro_f1 >= T.losoMacroF1)}`,
      `PR MAE ${f3(m.loso_mean.mae)} (<= ${T.losoPrMae.toFixed(2)} ${verdict(m.loso_mean.mae <= T.losoPrMae)})`,
      `ECE ${f3(test.role.ece)} (<= ${T.ece.toFixed(2)} ${verdict(test.role.ece <= T.ece)})`,
      `90% interval coverage ${pct(test.involvement.coverage)} (88-92% ${verdict(test.involvement.coverage >= 0.88 && test.involvement.coverage <= 0.92)})`,
      `human IELTS FPR ${pct(m.gede.fpr_human_ielts.value)} (< 5% ${verdict(m.gede.fpr_human_ielts.value < 0.05)})`,
      `recall ${pct(m.gede.recall_fully_generated.value)} (>= 90% ${verdict(m.gede.recall_fully_generated.value >= 0.9)})`,
    ];
    if (m.loso_mean_encoder_unseen) shows.push(`; ${f3(m.loso_mean_encoder_unseen.macro_f1)} on sets the encoder never saw)`);
    for (const want of shows) t.ok(metrics.includes(want), `models/${dir}: "${want}"`);
    if (m.gede.fpr_human_ielts.value >= 0.05) t.match(fails, `${pct(m.gede.fpr_human_ielts.value)} of human IELTS essays`, `models/${dir}: the essays it fails on`);
  }
  for (const r of Object.keys(json('models/judgments/config.json').rubrics)) {
    const m = json(`models/judgments/${r}/metrics.json`);
    const metrics = summaryRow(`judgments/${r}`)[2] ?? '';
    const k16 = m.groups.k16;
    t.match(metrics, `F1 k=1 ${f3(m.k1.f1)}, AUROC k=1 ${f3(m.k1.auroc)}, F1 k=16 ${f3(k16.f1)}, accuracy k=16 ${f3(k16.accuracy)}`, `judgments/${r}`);
    const tg = m.targets ?? {};
    if (tg.f1_k1 != null) t.match(metrics, `F1 k=1 >= ${tg.f1_k1}: ${verdict(m.k1.f1 >= tg.f1_k1)}`);
    if (tg.acc_k16 != null) t.match(metrics, `accuracy k=16 >= ${tg.acc_k16}: ${verdict(k16.accuracy >= tg.acc_k16)}`);
  }
  const lk = json('models/likelihood/metrics.json').mean_over_sets;
  const auroc = (prefix: string): number => (Object.entries(lk).find(([k]) => k.startsWith(prefix))?.[1] as { auroc: number }).auroc;
  t.match(summaryRow('likelihood')[2], `Fast-DetectGPT alone: mean AUROC ${f3(auroc('Fast-DetectGPT'))} over 10 sets (heads ${f3(auroc('shipped heads'))}); combined with the heads (likelihood.ai_probability) ${f3(auroc('heads + likelihood (shipped'))}`);
});

/** the rows of the `## Metrics against the targets` table of a text section, by metric */
function targetRows(md: string): Map<string, string[]> {
  const body = md.split(/^## /m).find((x) => x.startsWith('Metrics against the targets')) ?? '';
  return new Map(body.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| metric')).map((l) => l.slice(2, -2).split(' | ')).map((c) => [c[0], c]));
}

t.test('each text section is what its metrics.json gives, and the card carries it', async (t) => {
  for (const [dir, file] of [['heads', 'text.md'], ['heads-features-only', 'text-features-only.md']]) {
    const headsDir = path.join(MODELS, dir);
    const heads = await TextHeads.load(headsDir);
    const m = json(`models/${dir}/metrics.json`);
    t.equal(m.heads_version, heads.config.version, `models/${dir}/metrics.json measured the heads of models/${dir}`);
    const pages = renderTextCard(m, heads, headsDir, heads.config.encoder ? path.join(MODELS, 'encoder') : null, `card/details/${file}`);
    t.equal(read(`models/card/${file}`), pages.card, `models/card/${file} is what models/${dir}/metrics.json gives (npm run card)`);
    t.equal(read(`models/card/details/${file}`), pages.details, `models/card/details/${file} too`);
    t.ok(CARD.includes(pages.card.trim()), `models/MODEL_CARD.md carries models/card/${file} (npm run card)`);
    // the targets table, read against metrics.json without the renderer
    const rows = targetRows(pages.card);
    const test = m.per_source.all.test;
    const want: [string, string][] = [
      ['role macro-F1', f3(test.role.macro_f1)],
      ['PR MAE', f3(test.involvement.mae)],
      ['LOSO mean macro-F1', f3(m.loso_mean.macro_f1)],
      ['LOSO mean PR MAE', f3(m.loso_mean.mae)],
      ['ECE', f3(test.role.ece)],
      ['90% interval coverage', pct(test.involvement.coverage)],
      ['human IELTS essays flagged at the default', pct(m.gede.fpr_human_ielts.value)],
      ['fully generated essays caught at the default', pct(m.gede.recall_fully_generated.value)],
    ];
    if (m.loso_mean_encoder_unseen) want.push(['clean LOSO macro-F1', f3(m.loso_mean_encoder_unseen.macro_f1)], ['clean LOSO PR MAE', f3(m.loso_mean_encoder_unseen.mae)]);
    for (const [metric, value] of want) t.equal(rows.get(metric)?.[2], value, `models/card/${file}: ${metric}`);
    t.equal(rows.get('role macro-F1')?.[3], `>= ${TEXT_TARGETS.randomMacroF1.toFixed(2)}`, 'the summary\'s target');
    for (const h of ['## Data', '## Method', '## Metrics against the targets', '## Known failures']) t.match(pages.card, `\n${h}\n`, `models/card/${file}: ${h}`);
    t.match(pages.card, '](card/history.md)', 'links the history');
  }
  // the int8 cost the default heads' section quotes is the file's
  const c = json('models/heads/int8-cost.json');
  t.match(read('models/card/text.md'), `macro-F1 ${f3(c.fp32.test_macro_f1)} -> ${f3(c.int8.test_macro_f1)}`, 'int8-cost.json');
});

t.test('the judgment section is what the judgment metrics give (eval-judgments --render-only)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'card-judgments-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(MODELS, 'judgments'), path.join(dir, 'judgments'), { recursive: true });
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'training/eval-judgments.ts', '--render-only'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, MODEL_DIR: dir } });
  t.equal(r.status, 0, r.stderr);
  t.equal(read('models/card/judgments.md'), readFileSync(path.join(dir, 'card', 'judgments.md'), 'utf8'), 'models/card/judgments.md (npm run card)');
  t.equal(read('models/card/details/judgments.md'), readFileSync(path.join(dir, 'card', 'details', 'judgments.md'), 'utf8'), 'models/card/details/judgments.md');
  t.ok(CARD.includes(read('models/card/judgments.md').trim()), 'models/MODEL_CARD.md carries it');
});

t.test('a card a reviewer reads in ten minutes: the dated history is linked, not inlined', async (t) => {
  const lines = CARD.split('\n');
  // 320 until the wider corpus (issue 45) and the languages (issue 48) added a section each
  t.ok(lines.length <= 340, `models/MODEL_CARD.md has ${lines.length} lines (at most 340: tables go to models/card/details/, the story to history.md)`);
  t.match(CARD, '](card/history.md)', 'the card links the history');
  t.notMatch(CARD, /^# History of measurements/m, 'and does not inline it');
  const history = read('models/card/history.md');
  t.match(history, /^# History of measurements/);
  for (const moved of ["The MLP's L2 penalty was chosen by leave-one-source-out on 2026-12-01", "The embedding's difference between the halves of the text", 'One more training set on 2026-12-04, human only: the Brown Corpus', 'Why segments of 60 words (2026-12-03', 'chosen by data it never saw (issue 33, item 4)']) {
    t.ok(history.includes(moved), `history.md: ${moved}`);
    t.notOk(CARD.includes(moved), `not in the card: ${moved}`);
  }
  // no dated before -> after story in the card: the one comparison left is fp32 against int8 of the same heads
  const dated = lines.filter((l) => /\b20\d\d-\d\d-\d\d\b/.test(l) && / -> /.test(l) && !l.startsWith('- What int8 costs'));
  t.same(dated, [], 'dated before -> after lines belong in models/card/history.md');
  for (const [, target] of CARD.matchAll(/\]\(([^)#]+)\)/g)) t.ok(existsSync(path.join(MODELS, target)), `link ${target}`);
});

/** a models/ directory with just the files the summary reads */
function fixture(opts: { ielts: number; hannaF1: number; brownFpr: number; acc16: number; unseenRecall: string }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'card-summary-'));
  const w = (p: string, v: unknown) => {
    mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    writeFileSync(path.join(dir, p), typeof v === 'string' ? v : JSON.stringify(v));
  };
  w('encoder/config.json', { id: 'enc', version: '9.9.9', architecture: { parameters: 6_000_000 } });
  w('heads/config.json', {
    id: 'llm-provenance-text', version: '1.0.0+abc', encoder: { id: 'enc', version: '9.9.9' },
    thresholds: { short_text_words: 80 }, training_data: [{ source: 'hanna' }, { source: 'm4' }],
  });
  const loso = (f1: number, fpr: number) => ({
    role: { macro_f1: f1, per_class_f1: { human_author: f1, llm_creator: f1 } }, fpr_human: fpr, n_human: 200,
  });
  w('heads/metrics.json', {
    per_source: { all: { test: { role: { macro_f1: 0.96, ece: 0.02 }, involvement: { mae: 0.05, coverage: 0.9 } } } },
    loso_mean: { macro_f1: 0.81, mae: 0.13 },
    loso_encoder_trained_on: ['m4'],
    loso: { hanna: loso(opts.hannaF1, 0.02), m4: loso(0.9, 0.03), brown: { role: { macro_f1: 0.8, per_class_f1: { human_author: 0.8 } }, fpr_human: opts.brownFpr, n_human: 500 } },
    gede: { fpr_human_ielts: { value: opts.ielts }, fpr_human_argumentative: { value: 0.2 }, recall_fully_generated: { value: 0.85 } },
  });
  w('card/text-unseen.md', `# x\n\n## models/heads (heads 1.0.0+abc)\n\n| data set | generator | n | r1 | r5 | r10 |\n|---|---|---|---|---|---|\n| mt-bench | (all) | 381 | 10.0% | ${opts.unseenRecall} | 70.0% | x | y |\n`);
  w('judgments/config.json', { version: '2.0.0', rubrics: { antique: { files: {} } } });
  w('judgments/antique/rubric.json', { id: 'antique', description: 'ANTIQUE passage ranking; human assessors vs GPT-4o. Scores only.' });
  w('judgments/antique/metrics.json', {
    split: 'random; 5-fold', test: { human: 20, llm: 800 }, k1: { f1: 0.6, auroc: 0.55 },
    groups: { k16: { f1: 0.7, accuracy: opts.acc16, auroc: 0.8 } }, targets: { acc_k16: 0.75 }, in_sample_lr_bound: { k16_accuracy: 0.7 },
  });
  return dir;
}

t.test('met / missed and the failure domains follow the numbers', async (t) => {
  const bad = fixture({ ielts: 0.127, hannaF1: 0.5, brownFpr: 0.11, acc16: 0.6, unseenRecall: '55.6%' });
  const good = fixture({ ielts: 0.03, hannaF1: 0.85, brownFpr: 0.04, acc16: 0.8, unseenRecall: '91.0%' });
  t.teardown(() => {
    rmSync(bad, { recursive: true, force: true });
    rmSync(good, { recursive: true, force: true });
  });
  const [b, bj] = summaryRows(bad);
  const [g, gj] = summaryRows(good);
  const shows: [string, string | RegExp][] = [
    [b.metrics, 'role macro-F1 0.960 (>= 0.90 met)'],
    [b.metrics, 'PR MAE 0.050 (<= 0.08 met)'],
    [b.metrics, 'macro-F1 0.810 (>= 0.80 met)'],
    [b.metrics, 'PR MAE 0.130 (<= 0.12 missed)'],
    [b.metrics, 'human IELTS FPR 12.7% (< 5% missed)'],
    [g.metrics, 'human IELTS FPR 3.0% (< 5% met)'],
    [b.metrics, 'recall 85.0% (>= 90% missed)'],
    [b.fails, /student essays \(gede, never trained on\): 12\.7%/],
    [b.fails, 'hanna (short stories) 0.500'],
    [b.fails, 'brown (edited American prose of 1961) 11.0%'],
    [b.fails, 'mt-bench (chat-model answers) 55.6%'],
    [g.fails, 'texts under 80 words'],
    [b.trainedOn, 'the train split of 2 public text sets'],
    [bj.model, '**judgments/antique** 2.0.0'],
    [bj.metrics, 'accuracy k=16 0.600 (accuracy k=16 >= 0.75: missed)'],
    [gj.metrics, 'accuracy k=16 0.800 (accuracy k=16 >= 0.75: met)'],
    [bj.fails, 'single judgments, near chance (AUROC k=1 0.550)'],
    [bj.fails, 'only 20 human test judgments'],
    [bj.fails, 'in-sample bound accuracy k=16 0.700'],
    [bj.trainedOn, /^ANTIQUE passage ranking; human assessors vs GPT-4o; /],
  ];
  for (const [text, want] of shows) t.match(text, want, String(want));
  // the same checks with good numbers list no failure
  for (const no of [/student essays/, /hanna/, /brown/, /mt-bench/]) t.notMatch(g.fails, no, `not failing: ${no}`);
});

t.test('scripts/model-card.ts writes the summary first, a section per model, and links the history', async (t) => {
  const dir = fixture({ ielts: 0.127, hannaF1: 0.5, brownFpr: 0.11, acc16: 0.6, unseenRecall: '55.6%' });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'card', 'history.md'), '# History of measurements\n\nOn 2026-12-02 ...\n');
  writeFileSync(path.join(dir, 'card', 'zz-later.md'), '# A later card\n');
  writeFileSync(path.join(dir, 'card', 'text.md'), '# Text heads\n');
  writeFileSync(path.join(dir, 'card', 'judgments.md'), '# Judgment detection\n');
  mkdirSync(path.join(dir, 'card', 'details'));
  writeFileSync(path.join(dir, 'card', 'details', 'text.md'), '# Every table\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/model-card.ts', '--models', dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  const card = readFileSync(path.join(dir, 'MODEL_CARD.md'), 'utf8');
  const heads = card.split('\n').filter((l) => /^#{1,2} /.test(l));
  t.equal(heads[1], '## Summary: the shipped models against their targets');
  t.ok(card.indexOf('# Text heads') < card.indexOf('# Judgment detection'), 'the sections in their order');
  t.ok(card.indexOf('# Judgment detection') < card.indexOf('# A later card'), 'any other card after them');
  t.notMatch(card, /# History of measurements|# Every table/, 'history and details are linked, not inlined');
  t.match(card, '[the history of measurements](card/history.md)');
});
