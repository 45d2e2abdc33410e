/**
 * The committed models (models/heads + models/encoder) on real texts of each role from the test
 * split (test/fixtures/text/role-examples.json; never trained on). Behaviour, not exact floats.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createEmbedder } from '../../src/encoder/index.js';
import { loadTextDetector } from '../../src/detectors/text.js';
import type { Role, TextAnalysis } from '../../src/detectors/types.js';

const root = path.resolve(import.meta.dirname, '../..');
const modelDir = path.join(root, 'models');
const fx = JSON.parse(readFileSync(path.join(root, 'test/fixtures/text/role-examples.json'), 'utf8')) as {
  texts: { id: string; role: Role; pr: number; text: string }[];
};
const heads = JSON.parse(readFileSync(path.join(modelDir, 'heads/config.json'), 'utf8')) as { encoder: unknown };

const results = new Map<string, TextAnalysis>();

/**
 * Known errors of the shipped heads (features + embedding), kept visible as TAP todos rather than
 * hidden: a formal encyclopedic human paragraph looks LLM-made to them, and a Llama continuation from
 * SeqXGPT's out-of-distribution set sits on the human side of the threshold. A model that fixes them
 * turns the todo into a pass. A third, an extension keeping 58% of the human article (llmdetect
 * continue_high_short 11115), passed with heads 1.0.0+c56b4a29, failed with the further-trained scratch
 * encoder 1.1.0 (human_author 0.363 against llm_creator 0.363: on the boundary) and passes with the
 * fine-tuned MiniLM 2.0.0 (human_author 0.12), which never saw llmdetect: it is asserted again.
 */
const KNOWN: Record<string, string> = {
  'mgtbench:squad1:5728848cff5b5019007da299:h': 'formal Wikipedia paragraph called llm_creator (known false positive on encyclopedic style)',
  'seqxgpt:ood-llama:138': 'Llama continuation (SeqXGPT out-of-distribution set) not seen as LLM-involved',
};
const extra = (id: string) => (KNOWN[id] ? { todo: KNOWN[id] } : {});

t.before(async () => {
  // heads trained on features only accept any encoder: the tiny test encoder then only reports usage
  const dir = heads.encoder ? path.join(modelDir, 'encoder') : path.join(root, 'test/fixtures/tiny-encoder');
  const embedder = await createEmbedder({ dir, precision: 'int8', device: 'cpu', intraOpThreads: 1 });
  const det = await loadTextDetector({ modelDir, embedder });
  for (const x of fx.texts) results.set(x.id, await det.analyze({ text: x.text, tasks: ['role', 'involvement'], segments: true, explain: true }));
  await embedder.close();
});

const of = (role: Role) => fx.texts.filter((x) => x.role === role).map((x) => ({ ...x, a: results.get(x.id)! }));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

t.test('the fixture has real texts of every role', async (t) => {
  for (const r of ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'] as Role[]) t.ok(of(r).length >= 2, r);
});

t.test('every answer is complete and consistent', async (t) => {
  for (const x of fx.texts) {
    const a = results.get(x.id)!;
    t.ok(a.role && a.involvement && a.segments && a.explanation, x.id);
    t.ok(Math.abs(Object.values(a.role!.probabilities).reduce((s, v) => s + v, 0) - 1) < 1e-4);
    t.ok(a.involvement!.interval[0] <= a.involvement!.ratio && a.involvement!.ratio <= a.involvement!.interval[1]);
    t.equal(a.segments![0].start, 0);
    t.equal(a.segments![a.segments!.length - 1].end, x.text.length);
    t.ok(a.usage.tokens > 0 && a.usage.characters === x.text.length);
  }
});

t.test('clearly human texts are not called LLM-created', async (t) => {
  for (const x of of('human_author')) t.not(x.a.role!.label, 'llm_creator', `${x.id}: ${JSON.stringify(x.a.role!.probabilities)}`, extra(x.id));
});

t.test('LLM-created texts are not called human', async (t) => {
  for (const x of of('llm_creator')) t.not(x.a.role!.label, 'human_author', `${x.id}: ${JSON.stringify(x.a.role!.probabilities)}`, extra(x.id));
});

t.test('LLM-created texts look more AI-written and more involved than human texts', async (t) => {
  const h = of('human_author');
  const c = of('llm_creator');
  t.ok(mean(c.map((x) => x.a.ai_probability!)) > mean(h.map((x) => x.a.ai_probability!)), 'ai_probability');
  t.ok(mean(c.map((x) => x.a.involvement!.ratio)) > mean(h.map((x) => x.a.involvement!.ratio)) + 0.2, 'involvement ratio');
});

t.test('the involvement ratio agrees with the role answer (issue 42)', async (t) => {
  // role-consistent heads: at most 0.5 when human_author is the answer, at least 0.5 when llm_creator is,
  // whatever the CPU; the weighted median before gave seqxgpt:doc-human:194 (P(human) 0.48) a ratio of 0.92
  for (const x of fx.texts) {
    const a = results.get(x.id)!;
    if (a.role!.label === 'human_author') t.ok(a.involvement!.ratio <= 0.5, `${x.id}: human_author with ratio ${a.involvement!.ratio}`);
    if (a.role!.label === 'llm_creator') t.ok(a.involvement!.ratio >= 0.5, `${x.id}: llm_creator with ratio ${a.involvement!.ratio}`);
  }
});

t.test('polished and extended texts are seen as LLM-involved', async (t) => {
  const h = of('human_author');
  for (const x of [...of('llm_polisher'), ...of('llm_extender')]) {
    t.ok(x.a.ai_probability! > Math.max(...h.map((y) => y.a.ai_probability!)) || x.a.role!.label !== 'human_author', `${x.id}: ${JSON.stringify(x.a.role!.probabilities)}`, extra(x.id));
  }
});

t.test('no human text of the fixture is called LLM-created with high confidence, except the known case', async (t) => {
  for (const x of of('human_author').filter((y) => !KNOWN[y.id])) t.not(x.a.role!.confidence === 'high' && x.a.role!.label === 'llm_creator', true, x.id);
});

t.test('the alternative heads without the embedding (TEXT_HEADS_DIR=models/heads-features-only) load and answer', async (t) => {
  const headsDir = path.join(modelDir, 'heads-features-only');
  const embedder = await createEmbedder({ dir: path.join(modelDir, 'encoder'), precision: 'int8', device: 'cpu', intraOpThreads: 1 });
  t.teardown(() => embedder.close());
  const det = await loadTextDetector({ modelDir, headsDir, embedder });
  t.equal((det.describe().encoder as unknown) ?? null, null, 'these heads record no encoder');
  const h = of('human_author').filter((x) => !KNOWN[x.id]);
  const c = of('llm_creator');
  const ai = async (text: string) => (await det.analyze({ text, tasks: ['role'], segments: false, explain: false })).ai_probability!;
  const hs = await Promise.all(h.map((x) => ai(x.text)));
  const cs = await Promise.all(c.map((x) => ai(x.text)));
  t.ok(mean(cs) > mean(hs), `LLM-created texts look more AI-written (${mean(cs).toFixed(3)}) than human ones (${mean(hs).toFixed(3)})`);
});
