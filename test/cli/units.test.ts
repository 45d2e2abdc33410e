/** The CLI's pure parts: exit-code mapping, JSONL line shapes, the progress bar, tables. */
import t from 'tap';
import { lineToRequest } from '../../src/cli/commands.js';
import { EXIT, exitForStatus } from '../../src/cli/exit-codes.js';
import { table } from '../../src/cli/format.js';
import { Progress } from '../../src/cli/progress.js';

t.test('HTTP status -> exit code', async (t) => {
  t.equal(exitForStatus(200), EXIT.OK);
  for (const s of [400, 404, 413, 415, 422]) t.equal(exitForStatus(s), EXIT.INPUT, String(s));
  for (const s of [401, 403, 429]) t.equal(exitForStatus(s), EXIT.REFUSED, String(s));
  for (const s of [0, 500, 502, 503, 504]) t.equal(exitForStatus(s), EXIT.UNAVAILABLE, String(s));
  t.same(EXIT, { OK: 0, USAGE: 1, INPUT: 2, UNAVAILABLE: 3, REFUSED: 4, INTERNAL: 5 }, 'the documented codes');
});

t.test('JSONL lines: a group or one judgment', async (t) => {
  t.same(lineToRequest({ rubric: 'r', judgments: [{ scores: { a: 1 } }] }, undefined, false).body, { rubric: 'r', judgments: [{ scores: { a: 1 } }], explain: false });
  t.same(lineToRequest({ scores: { a: 1 }, candidate: { response: 'x' }, id: 7 }, 'd', true), {
    id: 7,
    body: { rubric: 'd', judgments: [{ candidate: { response: 'x' }, scores: { a: 1 } }], explain: true },
  });
  t.match(lineToRequest({ scores: { a: 1 } }, undefined, false).problem, { errors: [{ path: '/rubric' }] });
  t.match(lineToRequest({ rubric: 'r' }, undefined, false).problem, { errors: [{ path: '/judgments' }] });
  t.match(lineToRequest([1, 2], 'r', false).problem, { title: 'invalid line' });
});

t.test('progress bar: drawn on a terminal only, cleared at the end', async (t) => {
  const tty = { isTTY: true, columns: 100, out: '', write(s: string) { this.out += s; } };
  const p = new Progress(3, 'analyze', tty);
  p.tick('a.txt');
  p.tick('b.txt');
  p.tick('c.txt');
  p.finish();
  t.match(tty.out, /analyze \[#+-*\] 1\/3 33%/);
  t.match(tty.out, /analyze \[#{30}\] 3\/3 100% c\.txt/);
  t.ok(tty.out.endsWith('\r\x1b[2K'), 'line cleared');

  const pipe = { isTTY: false, out: '', write(s: string) { this.out += s; } };
  const q = new Progress(3, 'analyze', pipe);
  q.tick(); q.tick(); q.tick(); q.finish();
  t.equal(pipe.out, '', 'nothing in a pipe');

  const single = { isTTY: true, columns: 80, out: '', write(s: string) { this.out += s; } };
  const one = new Progress(1, 'analyze', single);
  one.tick(); one.finish();
  t.equal(single.out, '', 'no bar for a single input');
  const off = { isTTY: true, columns: 80, out: '', write(s: string) { this.out += s; } };
  const o = new Progress(5, 'analyze', off, false);
  o.tick(); o.finish();
  t.equal(off.out, '', '--no-progress');
});

t.test('table', async (t) => {
  t.equal(table(['A', 'NUM'], [['x', '1.00'], ['long', '10.00']], new Set([1])), 'A       NUM\n----  -----\nx      1.00\nlong  10.00');
});
