/**
 * Section 9 of bench/RESULTS.md: overload (issue 36). The real server with default settings
 * (RATE_LIMIT_MAX=0), 3,000-word texts on POST /v1/text/analyze:
 *   - best steady throughput: closed loops at a few concurrencies;
 *   - a burst: 200 requests sent at once, each on its own connection;
 *   - a sustained 2x overload: open-loop arrivals at twice the best throughput;
 *   - the same burst with ADMISSION=false, for comparison (the behaviour before issue 36).
 * For each: count and latency (median, max, from the moment the request was sent) per status, goodput
 * (200s per second from the first request to the last 200), /healthz latency polled every 100 ms, and
 * the server's own event-loop lag (prom-client's monitorEventLoopDelay, reset by the scrape just before
 * the phase).
 */
import http from 'node:http';
import os from 'node:os';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { likelihoodOverload } from './overload-likelihood.js';
import { f0, f1, f2, quantile, sampleText, startServer, type RunningServer } from './lib.js';
import { durationBuckets, send, serverSide, steady, type Answer } from './load.js';

export interface OverloadOptions {
  modelDir: string;
  encoderDir: string;
  /** seconds per steady concurrency (default 12) */
  steadySeconds?: number;
  /** seconds of the sustained overload (default 40) */
  sustainedSeconds?: number;
  burst?: number;
  words?: number;
  /** also run the burst with ADMISSION=false (default true) */
  compare?: boolean;
  /** also run the likelihood block (bench/overload-likelihood.ts; default: when models/likelihood is there) */
  likelihood?: boolean;
  log: (...a: unknown[]) => void;
}

/** Polls /healthz every 100 ms until stopped; returns the latencies (ms). */
function pollHealth(url: string): { stop(): Promise<number[]> } {
  const times: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      await new Promise<void>((resolve) => {
        const req = http.get(`${url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
      });
      times.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return times;
    },
  };
}

/** the server's event-loop lag since the last scrape (ms): p50, p99, max */
async function eventLoopLag(url: string): Promise<{ p50: number; p99: number; max: number }> {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const v = (name: string) => 1000 * Number(new RegExp(`^${name} ([0-9.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
    return { p50: v('nodejs_eventloop_lag_p50_seconds'), p99: v('nodejs_eventloop_lag_p99_seconds'), max: v('nodejs_eventloop_lag_max_seconds') };
  } catch {
    return { p50: NaN, p99: NaN, max: NaN };
  }
}

/** encoder micro-batches run so far (GET /metrics) */
async function encoderBatches(url: string): Promise<number> {
  try {
    return Number(/^llm_provenance_encoder_batches ([0-9.e+]+)/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

interface Phase {
  name: string;
  sent: number;
  answers: Answer[];
  health: number[];
  lag: { p50: number; p99: number; max: number };
  /** 200s per second from the phase's start to its last 200 */
  goodput: number;
  /** the 503s as the server timed them */
  server503?: { n: number; medianMs: number; maxMs: number };
  /** encoder batches run during the phase */
  batches?: number;
}

function phaseOf(name: string, sent: number, answers: Answer[], health: number[], lag: Phase['lag']): Phase {
  const ok = answers.filter((a) => a.status === 200);
  const lastOk = ok.reduce((m, a) => Math.max(m, a.at), 0);
  return { name, sent, answers, health, lag, goodput: ok.length > 0 ? (ok.length / lastOk) * 1000 : 0 };
}

const bodies = (words: number) => Array.from({ length: 8 }, (_, i) => JSON.stringify({ text: sampleText(words, 300 + i) }));

async function burst(s: RunningServer, texts: string[], n: number, name: string): Promise<Phase> {
  const before = await durationBuckets(s.url, 503);
  const b0 = await encoderBatches(s.url);
  await eventLoopLag(s.url); // resets the server's lag histogram
  const health = pollHealth(s.url);
  await new Promise((r) => setTimeout(r, 300));
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => send(s.url, texts[i % texts.length], agent, t0)));
  const healthTimes = await health.stop();
  const lag = await eventLoopLag(s.url);
  agent.destroy();
  return { ...phaseOf(name, n, answers, healthTimes, lag), server503: serverSide(before, await durationBuckets(s.url, 503)), batches: (await encoderBatches(s.url)) - b0 };
}

/**
 * The floor of the client-side numbers: the same burst against a trivial Node HTTP server (another
 * process) that reads the body and answers 503 at once.
 */
async function clientFloor(texts: string[], n: number): Promise<{ medianMs: number; maxMs: number }> {
  const { spawn } = await import('node:child_process');
  const code =
    "const s=require('http').createServer((q,r)=>{q.resume();q.on('end',()=>{r.writeHead(503,{'retry-after':'1','content-type':'application/problem+json'});r.end('{}')})});" +
    "s.listen(0,'127.0.0.1',()=>console.log(s.address().port))";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const t0 = performance.now();
    const ms = (await Promise.all(Array.from({ length: n }, (_, i) => send(`http://127.0.0.1:${port}`, texts[i % texts.length], agent, t0)))).map((a) => a.ms);
    agent.destroy();
    return { medianMs: quantile(ms, 0.5), maxMs: Math.max(...ms) };
  } finally {
    child.kill();
  }
}

/** open loop: one new request every 1/rate s for `seconds`, whatever the answers */
async function sustained(s: RunningServer, texts: string[], rate: number, seconds: number): Promise<Phase> {
  const b0 = await encoderBatches(s.url);
  await eventLoopLag(s.url);
  const health = pollHealth(s.url);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const t0 = performance.now();
  const pending: Promise<Answer>[] = [];
  const n = Math.max(1, Math.round(rate * seconds));
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(send(s.url, texts[i % texts.length], agent, t0));
  }
  const answers = await Promise.all(pending);
  const healthTimes = await health.stop();
  const lag = await eventLoopLag(s.url);
  agent.destroy();
  return { ...phaseOf(`sustained ${f2(rate)}/s for ${seconds} s`, n, answers, healthTimes, lag), batches: (await encoderBatches(s.url)) - b0 };
}

function statusRows(p: Phase): string[] {
  const by = new Map<number, Answer[]>();
  for (const a of p.answers) by.set(a.status, [...(by.get(a.status) ?? []), a]);
  return [...by.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([status, xs]) => {
      const ms = xs.map((a) => a.ms);
      const ra = xs.filter((a) => a.retryAfter !== undefined).map((a) => a.retryAfter!);
      return `| ${p.name} | ${status || 'no answer'} | ${xs.length} | ${f0(quantile(ms, 0.5))} | ${f0(Math.max(...ms))} | ${ra.length ? `${Math.min(...ra)}-${Math.max(...ra)}` : '–'} |`;
    });
}

function summary(p: Phase, best: number): { line: string; refused503: number[]; timedOutShare: number; ratio: number } {
  const count = (st: number) => p.answers.filter((a) => a.status === st).length;
  const ok = count(200);
  const t504 = count(504);
  const refused = p.answers.filter((a) => a.status === 503).map((a) => a.ms);
  const timedOutShare = ok + t504 > 0 ? t504 / (ok + t504) : 0;
  const ratio = p.goodput / best;
  return {
    line: `| ${p.name} | ${p.sent} | ${ok} | ${refused.length} | ${t504} (${f1(100 * timedOutShare)} % of accepted) | ${f2(p.goodput)} | ${f2(ratio)} | ${f0(quantile(p.health, 0.5))} / ${f0(quantile(p.health, 0.99))} / ${f0(Math.max(...p.health))} | ${f0(p.lag.p50)} / ${f0(p.lag.p99)} / ${f0(p.lag.max)} | ${ok > 0 && p.batches !== undefined ? f1(p.batches / ok) : '–'} |`,
    refused503: refused,
    timedOutShare,
    ratio,
  };
}

export async function overloadSection(o: OverloadOptions): Promise<string[]> {
  const words = o.words ?? 3000;
  const n = o.burst ?? 200;
  const steadySeconds = o.steadySeconds ?? 12;
  const sustainedSeconds = o.sustainedSeconds ?? 40;
  const texts = bodies(words);
  const env = { MODEL_DIR: o.modelDir, ENCODER_DIR: o.encoderDir, RATE_LIMIT_MAX: '0' };
  const load0 = os.loadavg()[0];
  o.log('overload: starting the service (default settings, RATE_LIMIT_MAX=0)');
  const s = await startServer(env);
  const phases: Phase[] = [];
  const steadyRows: { c: number; rate: number; p50: number; non200: number }[] = [];
  let best = 0;
  let sustainedRate = 0;
  let windowsPerRequest = NaN;
  // encoder worker runs before the first request: the embedder's own warm-up (2) and the batches of the model warm-ups
  const encoderStartupRuns = 2 + (await encoderBatches(s.url));
  try {
    if (!s.ready('text-heads')) throw new Error(`/v1/text/analyze cannot answer: ${s.reason('text-heads')}`);
    await steady(s, texts, 2, 3); // warm-up
    try {
      const res = await fetch(`${s.url}/v1/text/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: texts[0] });
      // the whole text's windows; its halves and its quarters add about as many each
      windowsPerRequest = 3 * (((await res.json()) as { usage?: { windows?: number } }).usage?.windows ?? NaN);
    } catch {
      /* reported without it */
    }
    for (const c of [1, 2, 4]) {
      const r = await steady(s, texts, c, steadySeconds);
      steadyRows.push(r);
      o.log(`overload steady c${c}: ${f2(r.rate)}/s p50 ${f0(r.p50)} ms`);
    }
    best = Math.max(...steadyRows.map((r) => r.rate));
    await new Promise((r) => setTimeout(r, 1000));
    phases.push(await burst(s, texts, n, `burst ${n}`));
    o.log(`overload burst: goodput ${f2(phases.at(-1)!.goodput)}/s`);
    await new Promise((r) => setTimeout(r, 2000));
    sustainedRate = 2 * best;
    phases.push(await sustained(s, texts, sustainedRate, sustainedSeconds));
    o.log(`overload sustained: goodput ${f2(phases.at(-1)!.goodput)}/s`);
  } finally {
    await s.stop();
  }
  const floor = await clientFloor(texts, n);
  o.log(`overload: client floor median ${f0(floor.medianMs)} ms`);
  if (o.compare !== false) {
    o.log('overload: the same burst with ADMISSION=false');
    const off = await startServer({ ...env, ADMISSION: 'false' });
    try {
      await steady(off, texts, 2, 3);
      phases.push(await burst(off, texts, n, `burst ${n}, ADMISSION=false`));
    } finally {
      await off.stop();
    }
  }
  const out = [
    `The real server with default settings and RATE_LIMIT_MAX=0 (REQUEST_TIMEOUT_MS 30000, ADMISSION on, ENCODER_PRECISION ${process.env.ENCODER_PRECISION ?? 'fp32'}),`,
    `POST /v1/text/analyze with ${words}-word texts (role + involvement), the load generator in the bench process on the same cores.`,
    `Load average (1 min) at the start of this section: ${f2(load0)}; at its end: ${f2(os.loadavg()[0])}.`,
    '',
    `Best steady throughput: closed loops, ${steadySeconds} s per concurrency, keep-alive connections.`,
    '',
    '| concurrency | docs/s | p50 ms | non-200 |',
    '|---:|---:|---:|---:|',
    ...steadyRows.map((r) => `| ${r.c} | ${f2(r.rate)} | ${f0(r.p50)} | ${r.non200} |`),
    '',
    `Best: **${f2(best)} docs/s**. The burst sends ${n} requests at once, each on its own connection; the sustained`,
    `overload sends one request every ${f0(1000 / Math.max(sustainedRate, 1e-9))} ms (${f2(sustainedRate)}/s, 2x the best) for ${sustainedSeconds} s, open loop.`,
    'Latency is from sending the request to the end of its answer.',
    '',
    '| phase | status | count | median ms | max ms | Retry-After s |',
    '|---|---:|---:|---:|---:|---:|',
    ...phases.flatMap(statusRows),
    '',
    'Goodput: 200s per second from the first request to the last 200. /healthz: polled every 100 ms during the phase',
    '(latency p50 / p99 / max ms). Event-loop lag: the server\'s own (p50 / p99 / max ms over the phase). Encoder batches per 200:',
    `the micro-batches the phase ran per request answered (${windowsPerRequest ? `a request feeds the encoder about ${f0(windowsPerRequest)} windows, whole text, halves and quarters, so full batches of 8 windows of 256 tokens make about ${f1(windowsPerRequest / 8)} per request; ` : ''}more means batches were not full or work was cancelled).`,
    '',
    '| phase | sent | 200 | 503 | 504 | goodput docs/s | goodput / best | /healthz ms | event-loop lag ms | encoder batches per 200 |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const sums = phases.map((p) => ({ p, s: summary(p, best) }));
  out.push(...sums.map((x) => x.s.line));
  const b = sums.find((x) => x.p.name === `burst ${n}`);
  if (b) {
    const r = b.s.refused503;
    const maxOk = r.length ? Math.max(...r) : NaN;
    const healthP99 = quantile(b.p.health, 0.99);
    const sv = b.p.server503;
    const svText = (x: number) => (sv && sv.n > 0 ? `<= ${f0(x)} ms (server)` : 'no 503');
    out.push(
      '',
      `503 latency as the server timed it (fastify's elapsed time, from the request's arrival to its answer; the bucket bounds of`,
      `http_request_duration_seconds that hold the median and the slowest of the burst's ${sv?.n ?? 0} 503s): median <= ${f0(sv?.medianMs ?? NaN)} ms,`,
      `slowest <= ${f0(sv?.maxMs ?? NaN)} ms. Client floor: the same burst against a trivial Node server that reads the body and answers`,
      `503 at once (another process): median ${f0(floor.medianMs)} ms, max ${f0(floor.maxMs)} ms from sending; the client-side numbers above`,
      'cannot go below it on this machine (200 new connections and 3.6 MB of bodies through one client process).',
      '',
      'Targets (issue 36), the burst with admission on ("after arrival": as the server timed it; from sending, as the client saw it):',
      '',
      '| target | measured after arrival | measured from sending | met |',
      '|---|---:|---:|---|',
      `| slowest 503 <= 1000 ms | ${svText(sv?.maxMs ?? NaN)} | ${r.length ? f0(maxOk) : 'no 503'} ms | ${r.length === 0 || maxOk <= 1000 ? 'yes' : 'no'} |`,
      `| median 503 <= 50 ms | ${svText(sv?.medianMs ?? NaN)} | ${r.length ? f0(quantile(r, 0.5)) : 'no 503'} ms | ${r.length === 0 || (sv?.medianMs ?? Infinity) <= 50 ? 'yes (after arrival)' : 'no'}${r.length && quantile(r, 0.5) > 50 ? '; not from sending' : ''} |`,
      `| accepted and then 504 <= 2 % | | ${f1(100 * b.s.timedOutShare)} % | ${b.s.timedOutShare <= 0.02 ? 'yes' : 'no'} |`,
      `| goodput / best steady >= 0.8 | | ${f2(b.s.ratio)} | ${b.s.ratio >= 0.8 ? 'yes' : 'no'} |`,
      `| /healthz p99 < 500 ms | | ${f0(healthP99)} ms | ${healthP99 < 500 ? 'yes' : 'no'} |`,
    );
  }
  if (o.likelihood ?? existsSync(path.join(o.modelDir, 'likelihood', 'config.json'))) {
    const e = b
      ? {
          late: b.p.answers.filter((a) => a.ms > 30_000).length,
          answered: b.p.answers.length,
          refused: b.s.refused503.length,
          median503Server: b.p.server503?.medianMs ?? NaN,
          median503Client: quantile(b.s.refused503, 0.5),
          goodputRatio: b.s.ratio,
          timedOut: b.p.answers.filter((a) => a.status === 504).length,
        }
      : undefined;
    const lm = await likelihoodOverload({ modelDir: o.modelDir, encoderDir: o.encoderDir, encoderStartupRuns: Number.isFinite(encoderStartupRuns) ? encoderStartupRuns : undefined, encoder: e, log: (m) => o.log(`overload ${m}`) });
    out.push('', ...lm.lines);
  } else {
    out.push('', '### Likelihood model (issue 44)', '', `not run: no likelihood model at ${o.modelDir}/likelihood`);
  }
  return out;
}
