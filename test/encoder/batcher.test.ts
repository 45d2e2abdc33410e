import t from 'tap';
import { MicroBatcher } from '../../src/encoder/batcher.js';
import { EncoderInferenceError, EncoderOverloadedError, EncoderUnavailableError } from '../../src/encoder/errors.js';

// a fake model: the vector of a window is [first id, length]; records each batch
function fake(opts: { fail?: (b: Int32Array[]) => boolean; delayMs?: number } = {}) {
  const batches: Int32Array[][] = [];
  const run = async (batch: Int32Array[]) => {
    batches.push(batch);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (opts.fail?.(batch)) throw new Error('boom');
    return batch.map((w) => Float32Array.of(w[0], w.length));
  };
  return { run, batches };
}
const win = (id: number, len: number) => new Int32Array(len).fill(id);

t.test('each request gets its own vectors back, in order', async (t) => {
  const f = fake();
  const b = new MicroBatcher(f.run, { maxWaitMs: 5 });
  const [x, y] = await Promise.all([b.submit([win(1, 3), win(2, 4)]), b.submit([win(3, 5)])]);
  t.same(x.map((v) => [...v]), [[1, 3], [2, 4]]);
  t.same(y.map((v) => [...v]), [[3, 5]]);
  t.equal(f.batches.length, 1, 'concurrent requests shared one batch');
  t.same(b.stats(), { queued: 0, running: 0, batches: 1 });
});

t.test('batches respect the padded-token budget and the batch size, and group similar lengths', async (t) => {
  const f = fake();
  const b = new MicroBatcher(f.run, { maxBatchTokens: 40, maxBatchSize: 3, maxWaitMs: 5 });
  const lens = [10, 30, 10, 30, 10, 10, 30, 2];
  const out = await Promise.all(lens.map((l, i) => b.submit([win(i, l)])));
  t.same(out.map((v) => v[0][0]), lens.map((_, i) => i), 'answers go to the right requests');
  for (const batch of f.batches) {
    const longest = Math.max(...batch.map((w) => w.length));
    t.ok(batch.length <= 3, 'batch size bound');
    t.ok(batch.length === 1 || longest * batch.length <= 40, `padded tokens ${longest}x${batch.length} within budget`);
  }
  t.same(f.batches[0].map((w) => w[0]), [0, 2, 4], 'oldest window first, with the windows closest in length');
  t.equal(f.batches.flat().length, lens.length, 'every window ran exactly once');
});

t.test('a full queue refuses new requests with EncoderOverloadedError; accepted ones complete', async (t) => {
  const f = fake({ delayMs: 10 });
  const b = new MicroBatcher(f.run, { maxQueue: 3, maxWaitMs: 20 });
  const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => b.submit([win(i, 4)])));
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
  t.equal(ok.length, 3);
  t.equal(refused.length, 2);
  for (const r of refused) {
    t.type(r.reason, EncoderOverloadedError);
    t.ok(r.reason.retryAfterSeconds >= 1);
  }
  // an idle queue accepts a request bigger than maxQueue (a long text is never impossible)
  const big = await b.submit([1, 2, 3, 4, 5, 6].map((i) => win(i, 2)));
  t.equal(big.length, 6);
});

t.test('abort drops queued work and rejects with the signal reason', async (t) => {
  const f = fake({ delayMs: 5 });
  const b = new MicroBatcher(f.run, { maxWaitMs: 30 });
  const ac = new AbortController();
  const reason = new Error('client went away');
  const keep = b.submit([win(7, 3)]);
  const gone = b.submit([win(8, 3), win(9, 3)], ac.signal);
  t.equal(b.stats().queued, 3);
  ac.abort(reason);
  await t.rejects(gone, reason);
  t.equal(b.stats().queued, 1, 'its windows left the queue');
  t.same([...(await keep)[0]], [7, 3]);
  t.notOk(f.batches.flat().some((w) => w[0] === 8 || w[0] === 9), 'aborted windows never ran');
  const pre = new AbortController();
  pre.abort(reason);
  await t.rejects(b.submit([win(1, 1)], pre.signal), reason, 'an already aborted signal rejects at once');
});

t.test('an inference error rejects the requests in that batch only', async (t) => {
  const f = fake({ fail: (batch) => batch.some((w) => w[0] === 666) });
  const b = new MicroBatcher(f.run, { maxWaitMs: 1, maxBatchSize: 1 });
  const bad = b.submit([win(666, 2)]);
  const good = b.submit([win(5, 2)]);
  await t.rejects(bad, EncoderInferenceError);
  t.same([...(await good)[0]], [5, 2]);
});

t.test('close waits for accepted work, then refuses new work', async (t) => {
  const f = fake({ delayMs: 10 });
  const b = new MicroBatcher(f.run, { maxWaitMs: 1 });
  const p = b.submit([win(1, 2)]);
  await b.close();
  t.same([...(await p)[0]], [1, 2], 'accepted work finished');
  await t.rejects(b.submit([win(2, 2)]), EncoderUnavailableError);
});

t.test('the queue bound counts texts (maxQueue) and windows (maxQueueWindows)', async (t) => {
  const f = fake({ delayMs: 5 });
  const b = new MicroBatcher(f.run, { maxQueue: 3, maxQueueWindows: 10, maxWaitMs: 20 });
  const first = b.submit([win(1, 2), win(1, 2), win(1, 2)]); // one text of 3 windows
  const many = b.submit([win(2, 2), win(3, 2)], undefined, 2); // embedMany of 2 texts
  t.equal(b.queuedTextCount(), 3);
  await t.rejects(b.submit([win(4, 2)]), EncoderOverloadedError, 'a 4th text is refused');
  await Promise.all([first, many]);
  t.equal(b.queuedTextCount(), 0);
  const big = b.submit(Array.from({ length: 8 }, () => win(5, 2)));
  await t.rejects(b.submit([win(6, 2), win(6, 2), win(6, 2)]), EncoderOverloadedError, '8 + 3 windows > maxQueueWindows');
  const small = b.submit([win(7, 2), win(7, 2)]);
  t.equal((await big).length, 8);
  t.equal((await small).length, 2);
});

t.test('a request keeps its place in line: its later passes run before later requests and are never refused', async (t) => {
  const f = fake({ delayMs: 5 });
  const b = new MicroBatcher(f.run, { maxQueue: 2, maxBatchSize: 1, maxWaitMs: 1 });
  const first = new AbortController();
  const second = new AbortController();
  // request 1's first pass, then request 2's: the queue now holds its 2 texts
  const a1 = b.submit([win(1, 2)], first.signal);
  const b1 = b.submit([win(2, 2), win(2, 2)], second.signal);
  await t.rejects(b.submit([win(3, 2)], new AbortController().signal), EncoderOverloadedError, 'a new request is refused by the full queue');
  await a1;
  // request 1's second pass arrives while request 2's windows wait: it is not refused, and it runs first
  const a2 = b.submit([win(11, 2), win(11, 2)], first.signal, 2);
  t.equal((await a2).length, 2, 'a request already in line is never refused');
  await b1;
  const order = f.batches.map((batch) => batch[0][0]);
  t.ok(order.lastIndexOf(11) < order.lastIndexOf(2), `request 1's second pass finished before request 2's first (order ${order.join(',')})`);
});
