/**
 * Issue 48 through the detector and the route: the language of every answer, an unsupported language
 * (warning naming it, role confidence low, decision not applicable), text that is not prose (warning with
 * its kind, confidence low), word counts for Chinese. Heads fitted here on synthetic rows, fake embedder.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTextDetector } from '../../src/detectors/text.js';
import { Detectors } from '../../src/detectors/index.js';
import { ModelUnavailableError, type TextDetector } from '../../src/detectors/types.js';
import { build, post } from '../helpers/build.js';
import { TestDoubleJudgmentDetector } from '../helpers/doubles.js';
import { fakeEmbedder, saveLanguageHeads } from '../helpers/language-heads.js';

const root = path.resolve(import.meta.dirname, '../..');
const langs = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/languages.json'), 'utf8')) as Record<string, string[] | string>;
const outside = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/outside.json'), 'utf8')) as Record<string, string>;
const roleExamples = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/role-examples.json'), 'utf8')) as { texts: { id: string; text: string }[] };

const embedder = fakeEmbedder;
let dir: string;
let heads: { with: string; without: string };
const withLanguages = () => heads.with;
const without = () => heads.without;

t.before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'text-language-'));
  heads = await saveLanguageHeads(dir);
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

const ask = (det: TextDetector, text: string) => det.analyze({ text, tasks: ['role', 'involvement'], segments: false, explain: false });

t.test('an unsupported language: named in a warning, confidence low, decision not applicable', async (t) => {
  // threshold 0 and confidence thresholds 0: every supported answer is flagged with confidence high
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const de = await ask(det, outside.german);
  t.match(de.language, { code: 'de', supported: false });
  t.ok(de.language!.confidence > 0.5);
  t.ok(de.warnings.some((w) => /German \(de\), a language the models were not trained and evaluated on \(supported: English \(en\)\)/.test(w)), de.warnings.join(' | '));
  t.equal(de.role!.confidence, 'low');
  t.same(de.decision, { flagged: false, threshold: 0, max_false_positive_rate: 0.05, applicable: false, reason: 'unsupported_language' });
  t.ok(de.warnings.some((w) => /text has 44 words/.test(w)));

  const zh = await ask(det, outside.chinese);
  t.match(zh.language, { code: 'zh', supported: false });
  t.ok(zh.warnings.some((w) => /Chinese \(zh\)/.test(w)));
  t.match(zh.decision, { flagged: false, applicable: false, reason: 'unsupported_language' });
  t.ok(zh.warnings.some((w) => /text has 53 words/.test(w)), `words counted for Chinese: ${zh.warnings.join(' | ')}`);
  t.notOk(zh.warnings.some((w) => /text has 1 words/.test(w)));

  // one text in each of ten common languages besides English
  for (const lang of ['de', 'fr', 'es', 'pt', 'it', 'ru', 'zh', 'ja', 'ar', 'ko']) {
    const a = await ask(det, (langs[lang] as string[])[0]);
    t.match(a.language, { code: lang, supported: false }, lang);
    t.match(a.decision, { flagged: false, applicable: false, reason: 'unsupported_language' }, lang);
    t.equal(a.role!.confidence, 'low', lang);
  }
});

t.test('English prose: language en, supported; the decision and confidence as before, no new warning', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const plain = await loadTextDetector({ modelDir: dir, headsDir: without(), embedder });
  for (const x of roleExamples.texts) {
    const a = await ask(det, x.text);
    const b = await ask(plain, x.text);
    t.match(a.language, { code: 'en', supported: true }, x.id);
    t.same(a.decision, b.decision, `${x.id}: same decision`);
    t.same(a.role, b.role, `${x.id}: same role answer`);
    t.same(a.warnings, b.warnings, `${x.id}: same warnings`);
    t.notOk('applicable' in a.decision!);
  }
});

t.test('too few words to tell the language: named and marked uncertain, the answer otherwise as without languages', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const plain = await loadTextDetector({ modelDir: dir, headsDir: without(), embedder });
  // the English test split's short answers and symbols that eld names as another language (training/eval-languages.ts)
  for (const s of ['Real Madrid.', 'New Brunswick.', 'Kodály körönd', '"2000s Croatia"', 'E/C.12/1999/SR.32']) {
    const a = await ask(det, s);
    const b = await ask(plain, s);
    const { language, ...rest } = a;
    const { language: _, ...restPlain } = b;
    t.same(rest, restPlain, `${s}: the same answer as heads that gate nothing`);
    t.notOk('applicable' in a.decision!, s);
    if (language!.code !== 'und') t.match(language, { uncertain: true, supported: language!.code === 'en' }, `${s}: ${language!.code}`);
  }
  const ca = await ask(det, 'Real Madrid.');
  t.same(ca.language, { code: 'ca', confidence: ca.language!.confidence, supported: false, uncertain: true });
  t.same(ca.decision, { flagged: true, threshold: 0, max_false_positive_rate: 0.05 }, 'flagged as the heads say (threshold 0 here)');
  t.notOk(ca.warnings.some((w) => /Catalan/.test(w)));
  // five words are enough: a short German sentence is gated
  const de = await ask(det, 'Das Personal war vom Check-in bis zum Check-out fantastisch.');
  t.match(de.language, { code: 'de', supported: false });
  t.notOk('uncertain' in de.language!);
  t.match(de.decision, { applicable: false, reason: 'unsupported_language' });
});

t.test('code: a warning with its kind and confidence low; the decision still applies', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const py = await ask(det, outside.python);
  t.ok(['en', 'und'].includes(py.language!.code));
  t.ok(py.warnings.some((w) => /text looks like program code \(code\), not prose/.test(w)), py.warnings.join(' | '));
  t.equal(py.role!.confidence, 'low');
  t.notOk(py.decision!.applicable === false);
});

t.test('heads without languages gate nothing; bad languages refuse to load', async (t) => {
  const plain = await loadTextDetector({ modelDir: dir, headsDir: without(), embedder });
  t.equal(plain.describe().languages, null, '/v1/models: no languages listed');
  t.same((await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder })).describe().languages, { supported: ['en'] }, '/v1/models shows the supported languages');
  const de = await ask(plain, outside.german);
  t.same(de.language, { code: 'de', confidence: de.language!.confidence }, 'no supported field');
  t.notOk(de.warnings.some((w) => /German/.test(w)));
  t.notOk('applicable' in de.decision!);
  const bad = path.join(dir, 'bad');
  await cp(without(), bad, { recursive: true });
  const cfg = JSON.parse(await readFile(path.join(bad, 'config.json'), 'utf8'));
  await writeFile(path.join(bad, 'config.json'), JSON.stringify({ ...cfg, languages: { supported: 'en' } }));
  const err = await loadTextDetector({ modelDir: dir, headsDir: bad, embedder }).catch((e) => e);
  t.ok(err instanceof ModelUnavailableError);
  t.match(err.reason, /languages.supported must be a list of ISO 639 codes/);
});

t.test('the route answers language and the decision fields (schema, batch)', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const app = await build(t, { detectors: Detectors.of({ text: det, judgment: new TestDoubleJudgmentDetector() }) });
  const r = await post(app, '/v1/text/analyze', { text: outside.german });
  t.equal(r.statusCode, 200);
  const b = r.json();
  t.match(b.language, { code: 'de', supported: false });
  t.match(b.decision, { flagged: false, applicable: false, reason: 'unsupported_language' });
  t.equal(b.role.confidence, 'low');
  const en = (await post(app, '/v1/text/role', { text: roleExamples.texts[0].text })).json();
  t.match(en.language, { code: 'en', supported: true });
  t.notOk('applicable' in en.decision);
  const short = (await post(app, '/v1/text/analyze', { text: 'Real Madrid.' })).json();
  t.match(short.language, { code: 'ca', supported: false, uncertain: true }, 'uncertain goes through the response schema');
  t.notOk('applicable' in short.decision);
  const batch = (await post(app, '/v1/text/analyze/batch', { items: [{ id: 'a', text: outside.chinese }, { id: 'b', text: outside.python }] })).json();
  t.match(batch.results[0], { id: 'a', language: { code: 'zh' }, decision: { applicable: false } });
  t.ok(batch.results[1].warnings.some((w: string) => /\(code\)/.test(w)));
});

t.test('the command line shows the language and the decision that does not apply', async (t) => {
  const det = await loadTextDetector({ modelDir: dir, headsDir: withLanguages(), embedder });
  const app = await build(t, { detectors: Detectors.of({ text: det, judgment: new TestDoubleJudgmentDetector() }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const files = { de: path.join(dir, 'de.txt'), py: path.join(dir, 'load.py') };
  await writeFile(files.de, outside.german);
  await writeFile(files.py, outside.python);
  const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/index.ts'), 'analyze', '--url', base, files.de, files.py], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  t.equal(out.code, 0, out.stderr);
  t.match(out.stdout, /language: de \(score 0\.\d\d\), not one the models were trained and evaluated on/);
  t.match(out.stdout, 'decision: not applicable (unsupported_language): not flagged');
  t.match(out.stdout, 'warning: text is in German (de)');
  t.match(out.stdout, /warning: text looks like program code \(code\), not prose/);
});
