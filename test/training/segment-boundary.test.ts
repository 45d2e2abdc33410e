import { test } from 'tap';
import { sentenceGroups } from '../../src/heads/segments.js';
import { changePointEnd, humanPartEnd } from '../../training/segment-boundary.js';
import { cutAtWord } from '../../training/datasets/text-common.js';

test('humanPartEnd: the start of the first segment at or above the threshold, else the text length', async (t) => {
  const segs = [
    { start: 0, end: 10, ai_probability: 0.2 },
    { start: 10, end: 25, ai_probability: 0.7 },
    { start: 25, end: 40, ai_probability: 0.95 },
  ];
  t.equal(humanPartEnd(segs, 0.5, 40), 10);
  t.equal(humanPartEnd(segs, 0.7, 40), 10, 'the threshold itself counts as flagged');
  t.equal(humanPartEnd(segs, 0.9, 40), 25, 'a later segment when the earlier ones stay under');
  t.equal(humanPartEnd(segs, 0.99, 40), 40, 'none flagged: all of the text read as human');
  t.equal(humanPartEnd([{ start: 0, end: 40, ai_probability: 0.9 }], 0.5, 40), 0, 'a first flagged segment: no human part');
});

test('humanPartEnd on sentence groups lands on the group that holds the true boundary', async (t) => {
  const human = Array.from({ length: 4 }, (_, i) => `The human writer noted fact number ${i} about the river and its banks in plain words here.`).join(' ');
  const llm = Array.from({ length: 4 }, (_, i) => `Moreover, the continuation elaborates point ${i} with comprehensive and nuanced detail throughout.`).join(' ');
  const text = `${human} ${llm}`;
  const groups = sentenceGroups(text, 20);
  t.ok(groups.length >= 3, 'several groups');
  const k = human.split(/\s+/).length;
  const boundary = cutAtWord(text, k).offset;
  // score the groups by the share of their characters after the true boundary, as a perfect detector would
  const segs = groups.map((g) => ({ start: g.start, ai_probability: Math.max(0, Math.min(1, (g.end - Math.max(g.start, boundary)) / (g.end - g.start))) }));
  const est = humanPartEnd(segs, 0.5, text.length);
  const holder = groups.find((g) => g.start <= boundary && boundary < g.end);
  t.ok(holder, 'a group holds the boundary');
  t.ok(est === holder!.start || est === holder!.end, `estimate ${est} at an edge of the group [${holder!.start}, ${holder!.end}) holding the boundary ${boundary}`);
});

test('changePointEnd: the split into a human and an LLM run that fits the probabilities best', async (t) => {
  const at = (ps: number[]) => changePointEnd(ps.map((p, i) => ({ start: 10 * i, ai_probability: p })), 10 * ps.length);
  t.equal(at([0.1, 0.2, 0.9, 0.95]), 20);
  t.equal(at([0.9, 0.1, 0.1, 0.9, 0.9]), 30, 'one LLM-looking segment early in a human run does not end it');
  t.equal(at([0.1, 0.2]), 20, 'none flagged: the text length');
  t.equal(at([0.9, 0.8]), 0, 'all LLM-looking: no human part');
  t.equal(humanPartEnd([0.9, 0.1, 0.1, 0.9, 0.9].map((p, i) => ({ start: 10 * i, ai_probability: p })), 0.5, 50), 0, 'where humanPartEnd stops at the first');
});
