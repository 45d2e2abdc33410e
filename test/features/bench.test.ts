// bench/features.ts: shape of the report (no timing assertions) and the deterministic sample texts.
import t from 'tap';
import { benchFeatures, sampleText } from '../../bench/features.js';

t.test('sampleText is deterministic and has the asked number of words', async (t) => {
  for (const n of [1, 100, 500, 2000]) {
    const s = sampleText(n);
    t.equal(s.split(/\s+/).filter(Boolean).length, n, `${n} words`);
    t.equal(sampleText(n), s, 'deterministic');
  }
});

t.test('benchFeatures returns a markdown table with one row per size and a slope', async (t) => {
  const r = await benchFeatures({ sizes: [50, 100], budgetMs: 20, minIterations: 3 });
  t.match(r.markdown, /\| words \| chars \| iterations \| median ms \(wall\) \| p95 ms \(wall\) \| median ms \(CPU\)/);
  t.match(r.markdown, /\n\| 50 \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
  t.match(r.markdown, /\n\| 100 \| /);
  t.match(r.markdown, /ms per 1000 words/);
  t.equal(r.rows.length, 2);
  for (const row of r.rows) {
    t.ok(row.iterations >= 3);
    t.ok(row.medianMs >= 0 && row.p95Ms >= row.medianMs, 'p95 >= median');
  }
  t.ok(Number.isFinite(r.slopeMsPer1000Words));
});
