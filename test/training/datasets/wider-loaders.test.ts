/**
 * Issue 45, item 1: the loaders of the ten wider sets, run on a few real rows of each (synthetic where the
 * licence forbids copying: test/fixtures/datasets/wider/README.md), in each set's own files and paths.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { polisherPR, type TextRow } from '../../../training/datasets/text-common.js';
import { alnum, isRefusal, pairIndex, stripChatFrame, textGroup, textKey } from '../../../training/datasets/wider/common.js';
import { detectrlMapping, loadDetectrl } from '../../../training/datasets/wider/detectrl.js';
import { loadArgugpt, loadEllipse, loadGrid, loadHerbold, loadOutfox } from '../../../training/datasets/wider/essays.js';
import { loadContinuations, loadImbd, loadL2r } from '../../../training/datasets/wider/rewrites.js';

const DIR = fileURLToPath(new URL('../../fixtures/datasets/wider', import.meta.url));
const SADDLERS = 'The Saddlers looked more likely to take the lead in the first half, with Albion goalkeeper Jon McLaughlin keeping out Paul Downing and Romaine Sawyers.';

const only = (rows: TextRow[], f: (r: TextRow) => boolean): TextRow => {
  const hit = rows.filter(f);
  if (hit.length !== 1) throw new Error(`${hit.length} rows match`);
  return hit[0]!;
};

t.test('group keys: the same human text in the spellings of different sets has one key', async (t) => {
  // DetectRL joins sentences without a space, M4 keeps arXiv's line breaks, imbd keeps mojibake
  t.equal(textKey('Sawyers.Burton came close when Stuart Beavon tricked his way into the box of Walsall'), textKey('Sawyers. Burton came close when Stuart Beavon tricked his way into the box of Walsall!'));
  t.equal(textKey('The *Odyssey* absolutely and explicitly sets up a double standard, but it\'s not the one'), textKey('The Odyssey absolutely and explicitly sets up a double standard, but it\'s not the one OP'));
  t.equal(alnum('Losing Â£1m a day'), 'losing1maday');
  t.equal(textKey('too short to name a source'), null);
  t.match(textGroup('too short to name a source'), /^text-short:/);
  t.not(textKey(SADDLERS), textKey('The Saddlers looked less likely to take the lead in the first half, with Albion goalkeeper'));
});

t.test('chat frames and refusals', async (t) => {
  t.equal(stripChatFrame('Certainly! Here is the refined paragraph: --- The text itself. --- This version adds drama.'), 'The text itself.');
  t.equal(stripChatFrame("Here's the expanded paragraph:So, you know how it goes."), 'So, you know how it goes.');
  t.equal(stripChatFrame('**The Saddlers** won.'), 'The Saddlers won.');
  t.equal(stripChatFrame('Great news update: the city reopened.'), 'Great news update: the city reopened.', 'content that happens to have a colon stays');
  t.ok(isRefusal("We also seI'm not able to help with that, as I'm only a language model."));
  t.notOk(isRefusal("As I wait, I can't help but wonder."));
});

t.test('pairIndex: the source with clearly the most shared words, or none', async (t) => {
  const idx = pairIndex(['alpha beta gamma delta epsilon', 'zeta eta theta iota kappa', 'lambda mu nu xi omicron']);
  t.equal(idx.pair('beta gamma delta epsilon rho')?.index, 0);
  t.equal(idx.pair('nothing in common here'), null);
  t.equal(idx.pair('alpha beta zeta eta'), null, 'two equally good candidates: no confident pair');
  t.equal(idx.pair('beta gamma delta epsilon rho', (i) => i > 0), null, 'allow limits the candidates');
});

t.test('imbd: P from the pair, generation by its kept prefix, originals human', async (t) => {
  const rows = loadImbd(DIR);
  const xsum = rows.filter((r) => r.domain === 'news');
  t.ok(xsum.every((r) => r.group === textGroup(SADDLERS)), 'every output of the Saddlers original is in its group');
  const human = only(rows, (r) => r.role === 'human_author' && r.text === SADDLERS);
  t.same([human.pr, human.llm, human.generator, human.subset], [0, false, 'human', 'xsum:human'], 'the original once, though five files hold it');
  // rewrite (gpt-4o), P, by hand: tokens of split(" ")
  //   original (25): The Saddlers looked more likely to take the lead in the first half, with Albion goalkeeper
  //                  Jon McLaughlin keeping out Paul Downing and Romaine Sawyers.
  //   rewrite  (23): The Saddlers appeared more likely to score first in the opening half, with Albion's
  //                  goalkeeper Jon McLaughlin denying Paul Downing and Romaine Sawyers.
  //   shared multiset (18): The Saddlers more likely to in the(x1 of 2) first half, with goalkeeper Jon McLaughlin
  //                  Paul Downing and Romaine Sawyers.   union = 25 + 23 - 18 = 30   PR = 1 - 18/30 = 0.4
  const rw = only(rows, (r) => r.subset === 'xsum:rewrite:gpt-4o');
  t.same([rw.role, rw.pr, rw.generator, rw.domain], ['llm_polisher', 0.4, 'gpt-4o', 'news']);
  // polish: the chat frame ("Certainly! ... --- <text> --- This version ...") is cut before PR is computed
  const pol = only(rows, (r) => r.subset === 'xsum:polish:gpt-4o');
  t.match(pol.text, /^In a thrilling first half, .* Romaine Sawyers\.$/);
  t.equal(pol.pr, polisherPR(SADDLERS, pol.text));
  t.equal(only(rows, (r) => r.subset === 'xsum:expand:gpt-4o').role, 'llm_polisher', "expand (but not extend) is P");
  // generation, gpt-4o: keeps the first 24 words ("... and Romaine"), bold marks dropped; E, by hand:
  //   "Sawyers in quick succession during an intense match at the Bescot Stadium." = 12 words after the
  //   prefix, 24 + 12 = 36 words in all: PR = 12/36
  const gen = only(rows, (r) => r.subset === 'xsum:generation:gpt-4o');
  t.same([gen.role, gen.pr], ['llm_extender', 12 / 36]);
  t.notMatch(gen.text, /\*\*/);
  // generation, Mistral-7B: shares only "The Saddlers" (2 < 3 words): the start is not kept, C
  t.same(['role', 'pr'].map((k) => only(rows, (r) => r.subset === 'xsum:generation:mistral-7b')[k as 'role']), ['llm_creator', 1]);
  const pubmed = only(rows, (r) => r.domain === 'qa-medical');
  t.same([pubmed.role, pubmed.pr], ['human_author', 0], 'pubmed.raw_data.json: originals only');
  const own = only(rows, (r) => r.subset === 'ai_detection_500_polish');
  t.same([own.role, own.generator, own.domain], ['llm_polisher', 'unknown', 'mixed'], 'model not stated: not made up');
  t.notOk(rows.some((r) => r.text.includes('refining paragraph')), 'the prompt files are not rows');
});

t.test('fast-detect-gpt and glimpse: E with the boundary at the longest common word prefix', async (t) => {
  const fd = loadContinuations(DIR, 'fast-detect-gpt');
  // by hand: the sample keeps "The Saddlers ... and Romaine" (24 words; the original's 25th is "Sawyers.",
  // the sample's "Sawyers'"), then "Sawyers' attempts at the goal." (5 words): PR = 5/29
  const e = only(fd, (r) => r.subset === 'xsum:gpt-4');
  t.same([e.role, e.pr, e.generator, e.group], ['llm_extender', 5 / 29, 'gpt-4', textGroup(SADDLERS)]);
  t.equal(only(fd, (r) => r.subset === 'squad:gpt2-xl').domain, 'wikipedia');
  t.equal(fd.filter((r) => r.role === 'human_author').length, 2, 'the originals');
  const gl = loadContinuations(DIR, 'glimpse');
  // 24 kept words + "Sawyers' efforts." = 26: PR = 2/26
  t.same(gl.map((r) => [r.role, r.pr, r.generator]), [['human_author', 0, 'human'], ['llm_extender', 2 / 26, 'claude-3-opus-20240229']]);
});

t.test('detectrl: roles by file and label, polished human relabelled and paired, mixes of unknown role', async (t) => {
  const rows = loadDetectrl(DIR);
  const of = (s: string) => rows.filter((r) => r.subset.startsWith(s));
  t.same(of('multi_domains_xsum').map((r) => [r.role, r.pr, r.domain, r.generator]), [['human_author', 0, 'news', 'human'], ['llm_creator', 1, 'news', 'chatgpt']]);
  t.equal(of('multi_domains_xsum')[0]!.group, textGroup(SADDLERS), 'the XSum text of imbd, fast-detect-gpt and glimpse, joined without spaces here');
  t.same(of('multi_llms_Claude-instant:paraphrase_dipper_llm').map((r) => [r.role, r.pr]), [['llm_creator', 1]], 'humanized C is C');
  // labelled human in Paraphrase_Attacks_Human: polished, paired with the arXiv abstract it polishes
  const p = only(rows, (r) => r.subset === 'paraphrase_polish_human:paraphrase_polish_human');
  const src = only(rows, (r) => r.role === 'human_author' && r.text.startsWith('We propose and study a model with glassy'));
  t.same([p.role, p.llm, p.pr, p.group, p.domain], ['llm_polisher', true, polisherPR(src.text, p.text), src.group, 'paper_abstract']);
  t.notOk(rows.some((r) => isRefusal(r.text) && r.role === 'llm_polisher'), "PaLM's refusal is no polished text: left out");
  // human-centred mixing: a human abstract with an LLM sentence put in: LLM-involved, role and PR unknown,
  // in the group of the abstract it was made from
  const mix = only(rows, (r) => r.subset.startsWith('human_centered_mixing'));
  const ginz = only(rows, (r) => r.role === 'human_author' && r.text.startsWith('According to extensive experimental findings'));
  t.same([mix.role, mix.pr, mix.llm, mix.group], [null, null, true, ginz.group]);
  t.same(only(rows, (r) => r.subset === 'llm_centered_mixing:direct_prompt').role, null);
  t.same(of('data_mixing_attacks').map((r) => [r.role, r.llm]), [[null, true]], 'mixing attacks: the llm row kept (role unknown), the human row left out');
  t.equal(new Set(rows.map((r) => r.text)).size, rows.length, 'a text in several files is loaded once');
  t.same(detectrlMapping('Data_Mixing_Human/multi_human_mixing_test.json', 'human'), { role: 'human_author', pr: 0, llm: false });
});

t.test('l2r: row by row where the file has every row, paired by overlap where rows are missing', async (t) => {
  const rows = loadL2r(DIR);
  t.notOk(rows.some((r) => r.subset.startsWith('Code')), 'code is not prose: left out');
  const [h0, h1] = rows.filter((r) => r.role === 'human_author');
  // GPT-4o row 0, by hand: "Two teams of nine players aim to score the most runs by striking a ball and running
  // round a sequence of bases to reach the home plate." (27 tokens) -> "... compete to score the most runs by
  // hitting a ball and running around a series of bases to reach home plate." (26 tokens); shared multiset
  // 22 (Two teams of(2) nine players to(2) score the most runs by a(2) ball and running bases reach home
  // plate.), union 27 + 26 - 22 = 31: PR = 1 - 22/31 = 0.2903
  const g0 = only(rows, (r) => r.id === 'l2r:Sports:GPT-4o:Sports:GPT-4o:0');
  t.same([g0.role, g0.pr, g0.group, g0.generator, g0.domain], ['llm_polisher', 0.2903, h0!.group, 'gpt-4o', 'sports']);
  // Gemini's file has 1 row for 2 human rows: its row 0 rewrites human row 1 (BMX racing)
  const gem = only(rows, (r) => r.generator === 'gemini-1.5-pro');
  t.same([gem.group, gem.pr], [h1!.group, polisherPR(h1!.text, gem.text)]);
});

t.test('outfox, herbold, argugpt, grid, ellipse', async (t) => {
  const of = loadOutfox(DIR);
  const humans = of.filter((r) => r.role === 'human_author');
  t.equal(humans.length, 3);
  const a = humans.find((r) => r.text.startsWith('I think the Electoral College'))!;
  t.same(of.filter((r) => r.group === a.group).map((r) => [r.role, r.subset]), [
    ['human_author', 'test:human'],
    ['llm_creator', 'test:chatgpt:lms'],
    ['llm_creator', 'test:chatgpt:outfox-attack'],
    ['llm_creator', 'test:chatgpt:dipper-attack'],
  ], 'row i of every file joins human essay i; attacked essays are C');
  t.ok(of.every((r) => r.domain === 'essay-student' && (r.role === 'human_author' ? r.pr === 0 : r.pr === 1)));

  const hb = loadHerbold(DIR);
  t.same(hb.slice(0, 3).map((r) => [r.role, r.generator]), [['human_author', 'human'], ['llm_creator', 'gpt-3.5'], ['llm_creator', 'gpt-4']]);
  t.equal(new Set(hb.slice(0, 3).map((r) => r.group)).size, 1, 'an essay and the two LLM essays on its topic: one group');

  const ag = loadArgugpt(DIR);
  t.ok(ag.every((r) => r.role === 'llm_creator' && r.pr === 1 && r.domain === 'essay-esl'));
  t.same(ag.map((r) => r.group), ['argugpt:weccl-17', 'argugpt:toefl11-01', 'argugpt:ood-01']);

  const gr = loadGrid(DIR);
  t.same(gr.map((r) => [r.role, r.pr, r.generator]), [['human_author', 0, 'human'], ['llm_creator', 1, 'gpt-3.5']]);

  const el = loadEllipse(DIR);
  t.ok(el.length === 2 && el.every((r) => r.evalOnly === true && r.split === 'test' && r.role === 'human_author'), 'evaluation only, like gede');
  t.same(el.map((r) => r.subset), ['grade-8', 'grade-11']);
});

t.test('a missing set loads nothing', async (t) => {
  const none = '/nonexistent-wider-data';
  for (const load of [loadImbd, loadDetectrl, loadL2r, loadOutfox, loadHerbold, loadArgugpt, loadGrid, loadEllipse, (d: string) => loadContinuations(d, 'glimpse')])
    t.same(load(none), []);
});
