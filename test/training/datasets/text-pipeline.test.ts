import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balancedWeights, loadCache, roleMask, sampleRows, stratum } from '../../../training/datasets/text-pipeline.js';
import type { TextRow } from '../../../training/datasets/text-common.js';
import type { Role } from '../../../src/detectors/types.js';

function row(i: number, source: string, role: Role | null, domain = 'd', split: TextRow['split'] = 'train', extra: Partial<TextRow> = {}): TextRow {
  return { id: `${source}:${i}`, text: `text number ${i} of ${source} with enough characters`, source, subset: 's', domain, group: `g${i}`, split, role, llm: role !== 'human_author', pr: role === 'human_author' ? 0 : role === 'llm_creator' ? 1 : role === null ? null : 0.5, lang: 'en', ...extra };
}

t.test('weights: each role the same total, each source inside a role the same, mean 1', async (t) => {
  const rows = [
    ...Array.from({ length: 90 }, (_, i) => row(i, 'a', 'human_author')),
    ...Array.from({ length: 10 }, (_, i) => row(100 + i, 'b', 'human_author')),
    ...Array.from({ length: 30 }, (_, i) => row(200 + i, 'a', 'llm_creator', i < 20 ? 'news' : 'blog')),
    ...Array.from({ length: 20 }, (_, i) => row(300 + i, 'c', null)),
  ];
  const w = balancedWeights(rows, 0.5);
  const sum = (f: (r: TextRow) => boolean) => rows.reduce((s, r, i) => s + (f(r) ? w[i] : 0), 0);
  t.ok(Math.abs(w.reduce((a, b) => a + b, 0) / rows.length - 1) < 1e-9, 'mean 1');
  const H = sum((r) => r.role === 'human_author');
  const C = sum((r) => r.role === 'llm_creator');
  const U = sum((r) => r.role === null);
  t.ok(Math.abs(H - C) < 1e-9, 'roles equal');
  t.ok(Math.abs(U - 0.5 * H) < 1e-9, 'unknown role: half a role');
  t.ok(Math.abs(sum((r) => r.source === 'a' && r.role === 'human_author') - sum((r) => r.source === 'b')) < 1e-9, 'sources equal inside a role');
  t.ok(Math.abs(sum((r) => r.domain === 'news') - sum((r) => r.domain === 'blog' && r.role === 'llm_creator')) < 1e-9, 'domains equal inside a source');
});

t.test('role masks: one bit for a known role, every LLM role for an unknown one', async (t) => {
  t.equal(roleMask(row(1, 'a', 'human_author')), 1);
  t.equal(roleMask(row(1, 'a', 'llm_extender')), 8);
  t.equal(roleMask(row(1, 'a', null)), 14);
});

t.test('sample: deterministic, capped per split and stratum, English only, gede humans all kept', async (t) => {
  const rows = [
    ...Array.from({ length: 50 }, (_, i) => row(i, 'a', 'llm_polisher')),
    ...Array.from({ length: 50 }, (_, i) => row(100 + i, 'a', 'llm_polisher', 'd', 'test')),
    row(500, 'z', 'human_author', 'd', 'train', { lang: 'de' }),
    ...Array.from({ length: 7 }, (_, i) => row(600 + i, 'gede', 'human_author', 'essay-ielts', 'test', { evalOnly: true })),
    ...Array.from({ length: 9 }, (_, i) => row(700 + i, 'gede', 'llm_creator', 'essay-ielts', 'test', { evalOnly: true })),
  ];
  const caps = { train: 10, validation: 5, test: 4, evalPerSubset: 3, minTrainChars: 10 };
  const a = sampleRows(rows, caps);
  const b = sampleRows([...rows].reverse(), caps);
  t.same(a.map((r) => r.id), b.map((r) => r.id), 'order-independent');
  t.equal(a.filter((r) => r.split === 'train' && r.source === 'a').length, 10);
  t.equal(a.filter((r) => r.split === 'test' && r.source === 'a').length, 4);
  t.equal(a.filter((r) => r.lang !== 'en').length, 0);
  t.equal(a.filter((r) => r.source === 'gede' && r.role === 'human_author').length, 7);
  t.equal(a.filter((r) => r.source === 'gede' && r.role === 'llm_creator').length, 3);
  t.equal(stratum(row(1, 'a', null)), 'a|llm?|');
});

t.test('loadCache reads the cache line by line from bytes: keys before the tab, values after it, odd lines skipped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  const file = join(dir, 'c.tsv');
  // an empty line, a line without a tab, a line starting with a tab, a value with a tab and non-ASCII text, no final newline
  writeFileSync(file, 'a\t1\n\nno-tab\n\tx\nb\tv\tw\nc\tÉté 夏\nd\tlast');
  const m = loadCache(file);
  t.same([...m.entries()], [['a', '1'], ['b', 'v\tw'], ['c', 'Été 夏'], ['d', 'last']]);
  t.equal(loadCache(join(dir, 'missing.tsv')).size, 0, 'no file: an empty cache');
  writeFileSync(file, 'a\t1\na\t2\n');
  t.equal(loadCache(file).get('a'), '2', 'a later line wins, as appending a recomputed value means');
});
