/**
 * The README is for users (issue 34): what the service answers, the two set-up commands, one curl
 * example per route, the settings table, status codes, the page and the CLI, deployment and one small
 * quality table linking the model card; short, and without the dated lab notebook (that lives in the
 * model card's history). training/README.md is the map of training/ (issue 46): it names every file there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { TEXT_TARGETS } from '../../scripts/card-summary.js';
import { CONFIG_VARIABLES } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const read = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');
const json = (p: string) => JSON.parse(read(p));

/** the text under a `## ` heading that starts with `title`, up to the next `## ` */
function section(title: string): string {
  const parts = README.split(/^## /m);
  const hit = parts.find((p) => p.startsWith(title));
  return hit ?? '';
}

/** rows of the first markdown table in a text, as cells */
function table(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l))
    .slice(1)
    .map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
}

t.test('short, and no dated lab notebook', async (t) => {
  const lines = README.split('\n');
  t.ok(lines.length <= 250, `README.md has ${lines.length} lines (at most 250; measurements go to the model card)`);
  t.notMatch(README, /\b20\d\d-\d\d-\d\d\b/, 'no dates: the history of measurements is in models/card/history.md');
  t.notMatch(README, /\d%?\s*->\s*\d/, 'no before -> after numbers');
  t.notMatch(README, /\bsince 20\d\d/i);
});

t.test('the map of src/ at the top names every entry of src/, and nothing that is not there', async (t) => {
  const map = README.split(/^## /m)[0].match(/```\n([\s\S]*?)```/)?.[1] ?? '';
  const named = [...new Set([...map.matchAll(/\bsrc\/[\w.-]+\/?/g)].map((m) => m[0]))].sort();
  const entries = readdirSync(path.join(ROOT, 'src'), { withFileTypes: true })
    .map((e) => `src/${e.name}${e.isDirectory() ? '/' : ''}`)
    .sort();
  t.same(named, entries, 'README.md\'s map of src/ against the directory listing');
  t.match(README, '](training/README.md)', 'the map of training/ is training/README.md, linked');
});

t.test('says what the service answers, then how to set it up with two commands', async (t) => {
  const intro = README.split(/^## /m)[0];
  for (const q of ['**Role**', '**Involvement**', '**Judgments**']) t.match(intro, q, q);
  t.match(intro, 'route -> features + embedding -> head -> calibrated answer');
  const setup = section('Set-up');
  t.ok(setup, 'a Set-up section');
  const commands = (setup.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '').split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, ''));
  t.same(commands, ['ONNXRUNTIME_NODE_INSTALL=skip npm ci && npm start', 'npm test']);
  const pkg = json('package.json');
  t.ok(pkg.scripts.start && pkg.scripts.test, 'npm start and npm test exist');
  t.match(read('.ci/run'), /^npm test\b/m, ".ci/run runs the README's test command");
});

t.test('one curl example for every route', async (t) => {
  const routes = [...Object.keys(json('openapi/openapi.json').paths), '/docs', '/openapi.json'];
  t.ok(routes.length >= 12);
  for (const r of routes) {
    const re = new RegExp(`^curl -sL? localhost:8080${r.replace(/[/.]/g, '\\$&')}(?=[\\s'"]|$)`, 'm');
    t.match(README, re, `curl example for ${r}`);
  }
  t.match(section('API'), /"path": "\/items\/1\/text"/, 'the batch example shows an item error with its path');
});

t.test('the settings table covers every variable of src/config.ts with its default', async (t) => {
  // defaults the README documents ahead of src/config.ts (issue 34: rate limits off by default)
  const ahead: Record<string, string> = { RATE_LIMIT_MAX: '0' };
  const rows = new Map(table(section('Settings')).map((r) => [r[0].replace(/`/g, ''), r]));
  for (const v of CONFIG_VARIABLES) {
    const row = rows.get(v.name);
    t.ok(row, `${v.name} has a row`);
    t.equal(row?.[1].replace(/`/g, ''), ahead[v.name] ?? v.default, `${v.name} default`);
    t.ok((row?.[2] ?? '').length > 10, `${v.name} is explained`);
  }
  const known = new Set(CONFIG_VARIABLES.map((v) => v.name));
  for (const name of rows.keys()) t.ok(known.has(name), `${name} is read by src/config.ts`);
  const settings = section('Settings');
  t.match(settings, /Rate limits are off by default/);
  for (const w of ['RATE_LIMIT_MAX=600', 'RATE_LIMIT_WINDOW_MS', 'per API key', 'client', 'TRUST_PROXY', 'QUEUE_MAX', 'MAX_IN_FLIGHT', 'Retry-After']) {
    t.match(settings, w, `how and why to turn rate limits on: ${w}`);
  }
});

t.test('status codes: every one the OpenAPI document lists, and what the service adds', async (t) => {
  const rows = new Map(table(section('Status codes')).map((r) => [r[0], r[1]]));
  const documented = new Set<string>();
  for (const item of Object.values(json('openapi/openapi.json').paths) as Record<string, { responses: object }>[]) {
    for (const op of Object.values(item)) for (const code of Object.keys(op.responses)) documented.add(code);
  }
  for (const code of [...documented, '404', '500']) t.ok(rows.has(code), `status ${code} is explained`);
  t.match(rows.get('429'), /RATE_LIMIT_MAX/, '429 only when a rate limit is configured');
  t.match(rows.get('503'), /Retry-After/);
  t.match(rows.get('400'), /path/);
  t.match(section('Status codes'), 'application/problem+json');
});

t.test('the page, the command line and deployment', async (t) => {
  const page = section('The page and the command line');
  t.match(page, 'page at `/`');
  const bin = Object.keys(json('package.json').bin)[0];
  t.equal(bin, 'llm-provenance');
  for (const cmd of ['analyze', 'detect-judgments', 'rubrics', 'serve']) t.match(page, new RegExp(`npx ${bin} ${cmd}\\b`), cmd);
  t.match(page, /Exit codes: 0 /);
  const deploy = section('Deploying');
  for (const w of ['Dockerfile', 'docker-compose.yml', 'deploy/README.md', 'deploy/k8s/', 'ONNXRUNTIME_NODE_INSTALL=skip']) t.match(deploy, w, w);
});

t.test('one small quality table with the model card numbers, linking the card', async (t) => {
  const quality = section('Quality');
  t.match(quality, '](models/MODEL_CARD.md)');
  const rows = table(quality);
  t.ok(rows.length >= 4 && rows.length <= 10, `${rows.length} rows`);
  const m = json('models/heads/metrics.json');
  const hs2 = json('models/judgments/helpsteer2/metrics.json');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const measured = (label: string) => rows.find((r) => r[0] === label)?.[2];
  t.equal(measured('role macro-F1'), m.per_source.all.test.role.macro_f1.toFixed(3));
  t.equal(measured('involvement (PR) mean absolute error'), m.per_source.all.test.involvement.mae.toFixed(3));
  t.equal(measured('role macro-F1, leave-one-source-out'), m.loso_mean.macro_f1.toFixed(3));
  t.match(rows.find((r) => r[0] === 'role macro-F1, leave-one-source-out')?.[1], m.loso_mean_encoder_unseen.macro_f1.toFixed(3));
  t.equal(measured('human essays flagged at the default threshold'), pct(m.gede.fpr_human_ielts.value));
  t.equal(measured('fully generated essays caught at the default'), pct(m.gede.recall_fully_generated.value));
  t.equal(measured('judgment F1, one judgment / groups of 16'), `${hs2.k1.f1.toFixed(3)} / ${hs2.groups.k16.f1.toFixed(3)}`);
  const heads = json('models/heads/config.json');
  t.match(quality, `text heads ${heads.version}`, 'names the heads the numbers belong to');
  t.match(quality, `encoder ${heads.encoder.version}`);
  t.match(quality, `judgment heads ${json('models/judgments/config.json').version}`);
  // the data column's counts and the targets are the metrics files' and the card's (scripts/card-summary.ts TEXT_TARGETS)
  const lu = m.loso_mean_encoder_unseen;
  const row = (label: string) => rows.find((r) => r[0] === label) ?? [];
  t.match(row('role macro-F1, leave-one-source-out')[1], `mean over ${m.loso_mean.sources.length} held-out sets; ${lu.macro_f1.toFixed(3)} on the ${lu.sources.length} the encoder never saw (${lu.sources.join(', ')};`);
  t.match(row('fully generated essays caught at the default')[1], `${m.gede.recall_fully_generated.n} essays`);
  const T = TEXT_TARGETS;
  const target = (label: string) => row(label)[3];
  t.equal(target('role macro-F1'), `>= ${T.randomMacroF1.toFixed(2)}`);
  t.equal(target('involvement (PR) mean absolute error'), `<= ${T.randomPrMae.toFixed(2)}`);
  t.equal(target('role macro-F1, leave-one-source-out'), `>= ${T.losoMacroF1.toFixed(2)}`);
  t.equal(target('human essays flagged at the default threshold'), `< ${100 * T.gedeIeltsFpr}%`);
  t.equal(target('fully generated essays caught at the default'), `>= ${100 * T.gedeRecall}%`);
  t.equal(target('judgment F1, one judgment / groups of 16'), `>= ${hs2.targets.f1_k1} / >= ${hs2.targets.f1_k16}`);
});

t.test('every link and npm script the README names exists', async (t) => {
  for (const [, target] of README.matchAll(/\]\(([^)#]+)\)/g)) {
    if (/^https?:/.test(target)) continue;
    t.ok(existsSync(path.join(ROOT, target)), `link ${target}`);
  }
  const scripts = json('package.json').scripts;
  for (const [, name] of README.matchAll(/npm run ([a-z:-]+)/g)) t.ok(scripts[name], `npm run ${name}`);
});

t.test('training/README.md names every file of training/ (the loaders of datasets/ as one entry), and what its table names exists', async (t) => {
  const map = read('training/README.md');
  const encoderMap = read('training/encoder/README.md');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name === '__pycache__' || e.name === 'node_modules') continue;
      const rel = `${dir}/${e.name}`;
      if (rel === 'training/datasets') continue;
      if (e.isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk('training');
  t.ok(files.length > 20, `${files.length} files`);
  const unnamed = files.filter((f) => {
    const name = f.split('/').pop()!;
    return !map.includes(name) && !(f.startsWith('training/encoder/') && encoderMap.includes(name));
  });
  t.same(unnamed, [], 'every file is named in training/README.md (or, under encoder/, in training/encoder/README.md)');
  t.match(map, '`datasets/`', 'the loaders: one entry');
  const listed = map.split(/^## /m).find((p) => p.startsWith('What each file is for')) ?? '';
  const named = table(listed).flatMap((r) => [...r[0].matchAll(/`([^`\s]+)`/g)].map((m) => m[1]));
  t.ok(named.length > 15, `${named.length} paths in the table`);
  for (const p of named) t.ok(existsSync(path.join(ROOT, 'training', p)), `training/${p}`);
});
