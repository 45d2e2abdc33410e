/**
 * Soak test (issue 8): mixed valid and invalid requests against the real server on loopback for a fixed
 * time, counting unexpected answers (must be 0), latency of valid requests, and RSS drift.
 *
 *   npx tsx bench/soak.ts [--duration 600] [--concurrency 8] [--out bench/RESULTS.md]
 *
 * Each request kind has the statuses the API contract allows for it; anything else (a 5xx, a connection
 * error, an error body that is not application/problem+json, a 200 without the contract's fields) is
 * "unexpected". 503 + Retry-After is counted apart as load shedding. The result replaces the soak section
 * (between <!-- soak:start --> and <!-- soak:end -->) of bench/RESULTS.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { f0, f1, f2, machine, NotRun, quantile, ROOT, rssOf, sampleText, startServer } from './lib.js';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '8' },
    'model-dir': { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench/RESULTS.md') },
  },
});
const duration = Number(args.duration);
const concurrency = Number(args.concurrency);
const modelDir = path.resolve(args['model-dir'] ?? process.env.MODEL_DIR ?? path.join(ROOT, 'models'));
const BODY_LIMIT = 256 * 1024;
const MAX_CHARS = 50_000;

interface Kind {
  name: string;
  weight: number;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  expect: number[];
  /** checks a 200 body */
  check?: (body: unknown) => boolean;
}

const hasAnalysis = (b: unknown) => {
  const x = b as { usage?: { tokens?: number }; role?: { probabilities?: Record<string, number> } };
  return typeof x?.usage?.tokens === 'number' && (x.role === undefined || typeof x.role.probabilities === 'object');
};

async function main() {
  const started = new Date();
  const machineLines = machine();
  const server = await startServer({
    MODEL_DIR: modelDir,
    RATE_LIMIT_MAX: '0',
    BODY_LIMIT_BYTES: String(BODY_LIMIT),
    MAX_TEXT_CHARS: String(MAX_CHARS),
  });
  const textReady = server.ready('text-heads');
  const judgReady = server.ready('judgments');
  const textOk = textReady ? [200] : [503];
  let rubric: { id: string; dimensions: { name: string; min: number; max: number }[]; candidate_fields: string[] } | undefined;
  if (judgReady) {
    const r = (await (await fetch(`${server.url}/v1/judgments/rubrics`)).json()) as { rubrics?: (typeof rubric)[] };
    rubric = r.rubrics?.[0];
  }
  const judgment = (i: number) =>
    rubric
      ? {
          ...(rubric.candidate_fields.length ? { candidate: Object.fromEntries(rubric.candidate_fields.map((f) => [f, sampleText(40, i + 3)])) } : {}),
          scores: Object.fromEntries(rubric.dimensions.map((d) => [d.name, d.min])),
        }
      : { scores: { x: 1 } };
  const kinds: Kind[] = [
    { name: 'analyze 100 words', weight: 30, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: sampleText(100, 11) }), expect: textOk, check: hasAnalysis },
    { name: 'analyze 500 words + segments', weight: 10, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: sampleText(500, 12), segments: true, explain: true }), expect: textOk, check: hasAnalysis },
    { name: 'role 50 words', weight: 10, method: 'POST', path: '/v1/text/role', body: JSON.stringify({ text: sampleText(50, 13) }), expect: textOk },
    { name: 'batch of 4', weight: 5, method: 'POST', path: '/v1/text/analyze/batch', body: JSON.stringify({ items: [1, 2, 3, 4].map((i) => ({ id: `i${i}`, text: sampleText(60, i) })) }), expect: textOk },
    { name: 'judgments x8', weight: 10, method: 'POST', path: '/v1/judgments/detect', body: JSON.stringify({ rubric: rubric?.id ?? 'helpsteer2', judgments: Array.from({ length: 8 }, (_, i) => judgment(i)) }), expect: judgReady ? [200] : [503, 400] },
    { name: 'invalid JSON', weight: 5, method: 'POST', path: '/v1/text/analyze', body: '{"text": "unterminated', expect: [400] },
    { name: 'missing text', weight: 5, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ tasks: ['role'] }), expect: [400] },
    { name: 'wrong types', weight: 5, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: 42, tasks: 'role', segments: 'yes' }), expect: [400] },
    { name: 'unknown task', weight: 3, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: 'hello there', tasks: ['astrology'] }), expect: [400] },
    { name: 'control chars + zero-width', weight: 3, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: 'he\u0000llo\u200b w\u202eorld \ud800 ' + sampleText(30, 5) }), expect: [...textOk, 400] },
    { name: 'text too long', weight: 2, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: 'a '.repeat(MAX_CHARS) }), expect: [400, 413] },
    { name: 'body too large', weight: 2, method: 'POST', path: '/v1/text/analyze', body: JSON.stringify({ text: 'b'.repeat(BODY_LIMIT + 10) }), expect: [413] },
    { name: 'wrong content type', weight: 2, method: 'POST', path: '/v1/text/analyze', body: 'text=hello', contentType: 'text/plain', expect: [415] },
    { name: 'unknown rubric', weight: 3, method: 'POST', path: '/v1/judgments/detect', body: JSON.stringify({ rubric: 'no-such-rubric', judgments: [{ scores: { a: 1 } }] }), expect: judgReady ? [400] : [400, 503] },
    { name: 'score out of range', weight: 3, method: 'POST', path: '/v1/judgments/detect', body: JSON.stringify({ rubric: rubric?.id ?? 'helpsteer2', judgments: [{ scores: Object.fromEntries((rubric?.dimensions ?? [{ name: 'x', max: 1 }]).map((d) => [d.name, d.max + 1000])) }] }), expect: judgReady ? [400] : [400, 503] },
    { name: 'deep JSON', weight: 2, method: 'POST', path: '/v1/text/analyze', body: '{"text":"x","a":' + '['.repeat(200) + ']'.repeat(200) + '}', expect: [400] },
    { name: 'unknown route', weight: 2, method: 'GET', path: '/v1/nope', expect: [404] },
    { name: 'models', weight: 3, method: 'GET', path: '/v1/models', expect: [200] },
  ];
  const total = kinds.reduce((s, k) => s + k.weight, 0);
  let seed = 12345;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    let x = (seed / 0x7fffffff) * total;
    for (const k of kinds) if ((x -= k.weight) <= 0) return k;
    return kinds[0];
  };

  const stats = new Map(kinds.map((k) => [k.name, { count: 0, unexpected: 0, shed: 0, times: [] as number[], statuses: {} as Record<number, number> }]));
  const unexpected: string[] = [];
  const rss: { t: number; rss: number }[] = [];
  const t0 = performance.now();
  const end = t0 + duration * 1000;
  const sampler = setInterval(() => rss.push({ t: (performance.now() - t0) / 1000, rss: rssOf(server.pid).rss }), 1000);

  async function worker() {
    while (performance.now() < end) {
      const k = pick();
      const s = stats.get(k.name)!;
      const q0 = performance.now();
      let status = 0;
      let problem = '';
      try {
        const res = await fetch(server.url + k.path, {
          method: k.method,
          headers: k.body !== undefined ? { 'content-type': k.contentType ?? 'application/json' } : {},
          body: k.body,
        });
        status = res.status;
        const ct = res.headers.get('content-type') ?? '';
        const text = await res.text();
        if (status === 503 && res.headers.get('retry-after') && !k.expect.includes(503)) {
          s.shed++;
        } else if (!k.expect.includes(status)) {
          problem = `status ${status}: ${text.slice(0, 200)}`;
        } else if (status >= 400 && !ct.startsWith('application/problem+json')) {
          problem = `status ${status} with content-type ${ct}`;
        } else if (status === 200 && k.check && !k.check(JSON.parse(text))) {
          problem = `200 without the contract's fields: ${text.slice(0, 200)}`;
        }
      } catch (err) {
        problem = `request failed: ${(err as Error).message}`;
      }
      const ms = performance.now() - q0;
      s.count++;
      s.statuses[status] = (s.statuses[status] ?? 0) + 1;
      if (status === 200) s.times.push(ms);
      if (problem) {
        s.unexpected++;
        if (unexpected.length < 20) unexpected.push(`${k.name}: ${problem}`);
      }
    }
  }
  console.error(`[soak] ${duration} s at concurrency ${concurrency} against ${server.url} (text ${textReady ? 'ready' : 'not ready'}, judgments ${judgReady ? 'ready' : 'not ready'})`);
  const progress = setInterval(() => {
    const n = [...stats.values()].reduce((a, s) => a + s.count, 0);
    const u = [...stats.values()].reduce((a, s) => a + s.unexpected, 0);
    console.error(`[soak] ${f0((performance.now() - t0) / 1000)} s: ${n} requests, ${u} unexpected, RSS ${f1(rssOf(server.pid).rss)} MiB`);
  }, 15000);
  await Promise.all(Array.from({ length: concurrency }, worker));
  clearInterval(sampler);
  clearInterval(progress);
  const elapsed = (performance.now() - t0) / 1000;
  const exit = await server.stop();

  const all = [...stats.values()];
  const n = all.reduce((a, s) => a + s.count, 0);
  const bad = all.reduce((a, s) => a + s.unexpected, 0);
  const shed = all.reduce((a, s) => a + s.shed, 0);
  const valid = all.flatMap((s) => s.times);
  const warm = rss.find((r) => r.t >= Math.min(30, duration * 0.1))?.rss ?? rss[0]?.rss ?? NaN;
  const last = rss[rss.length - 1]?.rss ?? NaN;
  const peak = Math.max(...rss.map((r) => r.rss));
  const lines = [
    '<!-- soak:start -->',
    '## 8. Soak (bench/soak.ts)',
    '',
    `\`npx tsx bench/soak.ts ${process.argv.slice(2).join(' ')}\` on ${started.toISOString()}: **${f0(elapsed)} s** at concurrency ${concurrency}` +
      (duration < 600 ? ` (a short run; the issue asks for 10 minutes: \`--duration 600\`)` : '') + '.',
    ...machineLines,
    `- models: text ${textReady ? 'ready' : `not ready (${server.reason('text-heads')}) — valid text requests expected 503`}; judgments ${judgReady ? `ready (rubric ${rubric?.id})` : `not ready (${server.reason('judgments')})`}`,
    '',
    `**${n} requests, ${bad} unexpected**, ${shed} shed with 503 + Retry-After; p50 / p99 of successful requests ${f1(quantile(valid, 0.5))} / ${f1(quantile(valid, 0.99))} ms;`,
    `RSS after warm-up ${f1(warm)} MiB, at the end ${f1(last)} MiB (drift ${f1((100 * (last - warm)) / warm)} %), peak ${f1(peak)} MiB; server exit code after SIGTERM: ${exit}.`,
    '',
    '| kind | requests | statuses | unexpected | p50 ms (200s) | p99 ms (200s) |',
    '|---|---:|---|---:|---:|---:|',
    ...kinds.map((k) => {
      const s = stats.get(k.name)!;
      const st = Object.entries(s.statuses).map(([c, v]) => `${v}×${c}`).join(' ');
      return `| ${k.name} | ${s.count} | ${st} | ${s.unexpected} | ${f1(quantile(s.times, 0.5))} | ${f1(quantile(s.times, 0.99))} |`;
    }),
    '',
    ...(unexpected.length ? ['Unexpected answers (first 20):', '', ...unexpected.map((u) => `- ${u.replace(/\n/g, ' ')}`), ''] : []),
    `Load average at the end: ${os.loadavg().map((x) => f2(x)).join(' / ')}.`,
    '<!-- soak:end -->',
  ];
  const section = lines.join('\n');
  console.log(section);
  const out = args.out!;
  let doc = existsSync(out) ? readFileSync(out, 'utf8') : '# Benchmarks\n\n';
  const a = doc.indexOf('<!-- soak:start -->');
  const b = doc.indexOf('<!-- soak:end -->');
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + '<!-- soak:end -->'.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(out, doc);
  console.error(`[soak] wrote ${path.relative(ROOT, out)}`);
  if (bad > 0) process.exitCode = 2;
}

main().catch((err) => {
  console.error(err instanceof NotRun ? `soak not run: ${err.message}` : err);
  process.exit(1);
});
