/** A fold's fit is cached by its rows and inputs (training/loso.ts): train-text's threshold folds and the card's folds share it. */
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import type { TextRow } from '../../training/datasets/text-common.js';
import { mulberry32 } from '../../training/fit/random.js';
import { losoFold } from '../../training/loso.js';
import type { TextHeadsConfig } from '../../src/heads/text-heads.js';

// CACHE_DIR is relative: run in a scratch folder so nothing is written into the checkout
process.chdir(mkdtempSync(path.join(os.tmpdir(), 'fold-cache-')));
const ROLES = ['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'] as const;
const r = mulberry32(3);
const sample: TextRow[] = [];
const X: Float64Array[] = [];
for (const source of ['a', 'b', 'c']) {
  for (let i = 0; i < 80; i++) {
    const k = i % 4;
    const pr = [0, 1, 0.6, 0.7][k];
    sample.push({ id: `${source}:${i}`, text: `text ${source} ${i}`, source, subset: 's', domain: 'd', group: `${source}:${i}`, split: i % 5 === 0 ? 'validation' : 'train', role: ROLES[k], llm: k > 0, pr, lang: 'en' } as TextRow);
    X.push(Float64Array.from([k + r(), pr + r() / 4, r(), source === 'b' ? 1 : 0]));
  }
}
const config = { features: ['f0', 'f1', 'f2', 'f3'], embedding_dim: 0, contrast: false, lexicon_size: 0 } as unknown as TextHeadsConfig;
const files = () => (() => { try { return readdirSync(path.join('training/.cache/fold-heads')); } catch { return []; } })();

t.test('the second fit of the same fold is read back, identical; another input is fitted anew', async (t) => {
  const first = losoFold('a', sample, X, config, 0);
  t.equal(files().length, 1, 'one fit written');
  const again = losoFold('a', sample, X, config, 0);
  t.equal(files().length, 1, 'read back, not written again');
  t.same(again.heldOutPreds, first.heldOutPreds, 'the same predictions');
  t.ok(first.heldOutPreds.length === 80 && first.heldOutPreds.every((p) => Number.isFinite(p.aiProbability)));
  losoFold('b', sample, X, config, 0);
  t.equal(files().length, 2, 'another fold, another fit');
  const moved = X.map((x) => Float64Array.from(x));
  moved[sample.findIndex((s) => s.source === 'b' && s.split === 'train')][2] += 1;
  losoFold('a', sample, moved, config, 0);
  t.equal(files().length, 3, 'a changed train input is a new fit');
});
