import t from 'tap';
import { boundaryEvidence, EVIDENCE_NAMES, humanShares, humanWordsOf, windowLabel, wordWindows } from '../../training/boundary-evidence.js';

// a small fixture: 60 numbered words, the first 15 "human"
const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
const text = `  ${words.slice(0, 30).join(' ')}\n\n${words.slice(30).join('  ')} `;

t.test('wordWindows: equal word counts, in order, covering every word', async (t) => {
  const ws = wordWindows(text, 25, 8);
  t.equal(ws.length, 2, 'floor(60 / 25) = 2 windows');
  t.same(ws.map((w) => [w.firstWord, w.endWord]), [[0, 30], [30, 60]]);
  t.equal(text.slice(ws[0].start, ws[0].end), words.slice(0, 30).join(' '), 'from the first word to the end of the last');
  t.equal(text.slice(ws[1].start, ws[1].end), words.slice(30).join('  '));
  const many = wordWindows(text, 5, 8);
  t.equal(many.length, 8, 'at most maxWindows');
  t.same(many.map((w) => w.endWord - w.firstWord), [7, 8, 7, 8, 7, 8, 7, 8], 'floor(k n / K) cuts');
  t.equal(many[many.length - 1].endWord, 60);
  t.same(wordWindows('a b c', 25, 8).map((w) => [w.firstWord, w.endWord, w.start, w.end]), [[0, 3, 0, 5]], 'short text: one window');
  t.same(wordWindows('   ', 25, 8), [{ start: 0, end: 0, firstWord: 0, endWord: 0 }], 'no words');
});

t.test('window labels from the known boundary', async (t) => {
  t.equal(humanWordsOf(0.75, 60), 15, 'round((1 - PR) x words)');
  const ws = wordWindows(text, 10, 8); // 6 windows of 10 words
  t.same(humanShares(ws, 15), [1, 0.5, 0, 0, 0, 0]);
  t.same(humanShares(ws, 15).map((s) => windowLabel(s)), [0, null, 1, 1, 1, 1], 'the window across the boundary is not trained on');
  t.same(humanShares(ws, 60).map((s) => windowLabel(s)), [0, 0, 0, 0, 0, 0], 'a human text: all human side');
  t.same(humanShares(ws, 0).map((s) => windowLabel(s)), [1, 1, 1, 1, 1, 1], 'a generated text: all LLM side');
  t.equal(windowLabel(0.8), 0);
  t.equal(windowLabel(0.2), 1);
  t.equal(windowLabel(0.5), null);
});

t.test('boundaryEvidence: a human run then an LLM run', async (t) => {
  const ev = boundaryEvidence([0.1, 0.2, 0.9, 0.8], [10, 10, 10, 10]);
  t.equal(ev.length, EVIDENCE_NAMES.length);
  const e = Object.fromEntries(EVIDENCE_NAMES.map((n, i) => [n, ev[i]]));
  t.ok(Math.abs(e.bnd_human_share - (0.9 + 0.8 + 0.1 + 0.2) / 4) < 1e-12);
  t.equal(e.bnd_position, 0.5, 'the change point after the second window');
  const gain = (Math.log(0.9) + Math.log(0.8) - Math.log(0.1) - Math.log(0.2)) / 4;
  t.ok(Math.abs(e.bnd_gain - gain) < 1e-12, 'log-likelihood gain over all-LLM, per window');
  t.ok(Math.abs(e.bnd_jump - (0.85 - 0.15)) < 1e-12);
  t.same([e.bnd_first, e.bnd_last, e.bnd_max, e.bnd_min], [0.1, 0.8, 0.9, 0.1]);
});

t.test('boundaryEvidence: no boundary inside', async (t) => {
  const llm = boundaryEvidence([0.9, 0.95, 0.8], [5, 5, 10]);
  t.equal(llm[1], 0, 'all LLM: position 0');
  t.equal(llm[2], 0, 'no gain');
  t.equal(llm[3], 0, 'no jump');
  t.ok(Math.abs(llm[0] - (5 * 0.1 + 5 * 0.05 + 10 * 0.2) / 20) < 1e-12, 'word-weighted share');
  const human = boundaryEvidence([0.1, 0.3], [10, 30]);
  t.equal(human[1], 1, 'all human: position 1');
  t.equal(human[3], 0);
  t.ok(human[2] > 0);
  const one = boundaryEvidence([0.4], [12]);
  t.same([one[1], one[3], one[4], one[5]], [1, 0, 0.4, 0.4]);
  t.same(boundaryEvidence([], []), [0, 0, 0, 0, 0.5, 0.5, 0.5, 0.5]);
});
