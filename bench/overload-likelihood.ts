/**
 * The likelihood block of section 9 of bench/RESULTS.md (issue 44): the opt-in likelihood model under the same
 * promises as the encoder. The real server with LIKELIHOOD=on and default settings (RATE_LIMIT_MAX=0),
 * ~500-word texts with `"likelihood": true` on POST /v1/text/analyze:
 *   - batching: one window of 256 tokens against a batch of two, on the bare session (in this process, before any server);
 *   - best steady likelihood throughput: closed loops at a few concurrencies;
 *   - a burst of 60 requests at once: answers later than the deadline, refusals and their latency, 504s,
 *     goodput against the best steady throughput, the server's peak RSS with both models loaded;
 *   - a worker killed mid-batch (LLM_PROVENANCE_FAULT, test and bench only): of the requests in flight, how many
 *     were lost or hung, how long after the crash each was answered, and the time from the crash to ready again,
 *     for the likelihood worker and for the encoder's.
 * Benchmarks are not tests: nothing here asserts a time.
 */
import http from 'node:http';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { f0, f1, f2, quantile, ROOT, rssOf, sampleText, startServer, type RunningServer } from './lib.js';
import { durationBuckets, metricsText, send, serverSide, steady, type Answer } from './load.js';

const metric = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);

/** n requests at once, each on its own connection, while the server's RSS is sampled every 100 ms */
async function burst(s: RunningServer, bodies: string[], n: number): Promise<{ answers: Answer[]; rssMax: number; server503: { medianMs: number; maxMs: number; n: number } }> {
  const before = await durationBuckets(s.url, 503);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  let rssMax = 0;
  const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssOf(s.pid).rss)), 100);
  const t0 = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, (_, i) => send(s.url, bodies[i % bodies.length], agent, t0)));
  clearInterval(sampler);
  agent.destroy();
  return { answers, rssMax, server503: serverSide(before, await durationBuckets(s.url, 503)) };
}

export interface CrashResult {
  model: string;
  sent: number;
  answers: Answer[];
  /** Date.now() of the crash, from /metrics */
  crashAt: number;
  recoverySeconds: number;
  restarts: number;
  /** server start to ready, s: the cold start the recovery compares with */
  coldStartSeconds: number;
  /** status of one request sent once ready again */
  after: number;
}

/**
 * A server whose `model` worker is killed mid-batch by LLM_PROVENANCE_FAULT=<model>-exit:<at>; n requests at once.
 */
export async function crashPhase(env: Record<string, string>, model: 'encoder' | 'likelihood', at: number, bodies: string[], n: number, log: (m: string) => void): Promise<CrashResult> {
  const t0 = Date.now();
  const s = await startServer({ ...env, LLM_PROVENANCE_FAULT: `${model}-exit:${at}` });
  const coldStartSeconds = (Date.now() - t0) / 1000;
  try {
    if (!s.ready(model)) throw new Error(`${model} not ready: ${s.reason(model)}`);
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const p0 = performance.now();
    const answers = await Promise.all(Array.from({ length: n }, (_, i) => send(s.url, bodies[i % bodies.length], agent, p0)));
    agent.destroy();
    // ready again: /readyz polled every 100 ms (at most 5 min)
    const until = Date.now() + 300_000;
    while (Date.now() < until) {
      try {
        if ((await fetch(`${s.url}/readyz`)).status === 200) break;
      } catch {
        /* retry */
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const m = await metricsText(s.url);
    const after = (await send(s.url, bodies[0], new http.Agent(), performance.now())).status;
    log(`crash ${model}: ${answers.map((a) => a.status).join(' ')}; after ${after}`);
    return {
      model,
      sent: n,
      answers,
      crashAt: 1000 * metric(m, new RegExp(`^llm_provenance_worker_last_crash_timestamp_seconds\\{model="${model}"\\} ([0-9.e+-]+)`, 'm')),
      recoverySeconds: metric(m, new RegExp(`^llm_provenance_worker_recovery_seconds\\{model="${model}"\\} ([0-9.e+-]+)`, 'm')),
      restarts: metric(m, new RegExp(`^llm_provenance_worker_restarts_total\\{model="${model}"\\} ([0-9.e+-]+)`, 'm')),
      coldStartSeconds,
      after,
    };
  } finally {
    await s.stop();
  }
}

export function crashRow(c: CrashResult): string {
  const count = (f: (a: Answer) => boolean) => c.answers.filter(f).length;
  const restarting = c.answers.filter((a) => a.status === 503 && a.type === '/problems/model-restarting');
  const refused = count((a) => a.status === 503 && a.type === '/problems/overloaded');
  const other = count((a) => a.status !== 200 && a.status !== 0 && !(a.status === 503 && (a.type === '/problems/model-restarting' || a.type === '/problems/overloaded')));
  const sinceCrash = restarting.map((a) => a.wall - c.crashAt);
  const withRetry = restarting.filter((a) => a.retryAfter !== undefined).length;
  return `| ${c.model} | ${c.sent} | ${count((a) => a.status === 200)} | ${restarting.length} (${withRetry} with Retry-After) | ${refused} | ${other} | ${count((a) => a.status === 0)} | ${restarting.length ? f0(Math.max(...sinceCrash)) : '–'} | ${c.restarts} | ${f1(c.recoverySeconds)} | ${f1(c.coldStartSeconds)} | ${c.after} |`;
}

/** the bare likelihood session: one window of 257 tokens against a batch of two, median of `runs` */
async function batching(runs: number): Promise<{ one: number; two: number }> {
  const s = await ort.InferenceSession.create(path.join(ROOT, 'models/likelihood/model.int4.onnx'), {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  });
  const feeds = (b: number) => ({
    input_ids: new ort.Tensor('int64', BigInt64Array.from({ length: b * 257 }, (_, i) => BigInt(100 + ((i * 37) % 5000))), [b, 257]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(b * 257).fill(1n), [b, 257]),
  });
  const time = async (b: number) => {
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await s.run(feeds(b));
      ms.push(performance.now() - t);
    }
    return quantile(ms, 0.5);
  };
  await time(1); // warm
  const one = await time(1);
  const two = await time(2);
  await s.release();
  return { one, two };
}

export interface LikelihoodOverloadOptions {
  modelDir: string;
  encoderDir: string;
  words?: number;
  burst?: number;
  steadySeconds?: number;
  /** encoder worker runs before the first request (warm-ups), to aim the encoder's fault at the first requests */
  encoderStartupRuns?: number;
  /** the encoder section's burst numbers, for the side-by-side table */
  encoder?: { late: number; refused: number; median503Server: number; median503Client: number; goodputRatio: number; timedOut: number; answered: number };
  log: (m: string) => void;
}

export async function likelihoodOverload(o: LikelihoodOverloadOptions): Promise<{ lines: string[]; peakMb: number }> {
  const words = o.words ?? 500;
  const n = o.burst ?? 60;
  const steadySeconds = o.steadySeconds ?? 30;
  const deadline = 30_000;
  const bodies = Array.from({ length: 8 }, (_, i) => JSON.stringify({ text: sampleText(words, 500 + i), likelihood: true }));
  const env = { MODEL_DIR: o.modelDir, ENCODER_DIR: o.encoderDir, RATE_LIMIT_MAX: '0', LIKELIHOOD: 'on' };

  o.log('likelihood: batching on the bare session');
  const batch = await batching(3);

  o.log('likelihood: starting the service (LIKELIHOOD=on, default settings)');
  const s = await startServer(env);
  let idle = { rss: NaN, peak: NaN };
  const steadyRows: Awaited<ReturnType<typeof steady>>[] = [];
  let b: Awaited<ReturnType<typeof burst>>;
  let peakAfterBurst = NaN;
  try {
    if (!s.ready('likelihood')) throw new Error(`the likelihood model is not ready: ${s.reason('likelihood')}`);
    idle = rssOf(s.pid);
    await steady(s, bodies, 2, 4, { honourRetryAfter: true }); // warm-up
    for (const c of [1, 2, 4]) {
      const r = await steady(s, bodies, c, steadySeconds, { honourRetryAfter: true });
      steadyRows.push(r);
      o.log(`likelihood steady c${c}: ${f2(r.rate)}/s p50 ${f0(r.p50)} ms`);
    }
    await new Promise((r) => setTimeout(r, 2000));
    b = await burst(s, bodies, n);
    peakAfterBurst = rssOf(s.pid).peak;
    o.log(`likelihood burst: ${b.answers.map((a) => a.status).join(' ')}`);
  } finally {
    await s.stop();
  }
  const best = Math.max(...steadyRows.map((r) => r.rate));
  const ok = b.answers.filter((a) => a.status === 200);
  const refused = b.answers.filter((a) => a.status === 503);
  const t504 = b.answers.filter((a) => a.status === 504);
  const late = b.answers.filter((a) => a.ms > deadline);
  const lastOk = ok.reduce((m, a) => Math.max(m, a.at), 0);
  const goodput = ok.length > 0 ? (ok.length / lastOk) * 1000 : 0;
  const ratio = goodput / best;
  const slowest = Math.max(...b.answers.map((a) => a.ms));

  o.log('likelihood: the likelihood worker killed mid-batch');
  const crashes: CrashResult[] = [];
  crashes.push(await crashPhase(env, 'likelihood', 3, bodies, 8, o.log));
  if (o.encoderStartupRuns !== undefined) {
    o.log('likelihood: the encoder worker killed mid-batch');
    const enc = { MODEL_DIR: o.modelDir, ENCODER_DIR: o.encoderDir, RATE_LIMIT_MAX: '0' };
    const encBodies = Array.from({ length: 8 }, (_, i) => JSON.stringify({ text: sampleText(words, 500 + i) }));
    crashes.push(await crashPhase(enc, 'encoder', o.encoderStartupRuns + 3, encBodies, 8, o.log));
  }

  const peakMb = Math.max(peakAfterBurst, b.rssMax);
  const limitMb = Math.ceil((peakMb * 1.5) / 256) * 256;
  const e = o.encoder;
  const lines = [
    '### Likelihood model (issue 44)',
    '',
    `The real server with LIKELIHOOD=on and default settings (REQUEST_TIMEOUT_MS ${deadline}, ADMISSION on, LIKELIHOOD_MAX_TOKENS 256),`,
    `POST /v1/text/analyze with ${words}-word texts and \`"likelihood": true\` (role + involvement + the likelihood block).`,
    '',
    `Batching windows (the bare int4 session in the bench process, median of 3): one window of 257 tokens ${f0(batch.one)} ms, a batch of two`,
    `${f0(batch.two)} ms (${f2(batch.two / (2 * batch.one))}x two single runs; 3 runs each, on cores shared with other jobs: see the load averages). ${batch.two < 1.4 * batch.one ? 'Batching pays here.' : 'Not a gain this machine\'s noise can confirm: the model runs one window at a time.'}`,
    '',
    `Best steady likelihood throughput: closed loops, ${steadySeconds} s per concurrency, keep-alive connections.`,
    '',
    '| concurrency | docs/s | p50 ms | non-200 |',
    '|---:|---:|---:|---:|',
    ...steadyRows.map((r) => `| ${r.c} | ${f2(r.rate)} | ${f0(r.p50)} | ${r.non200} |`),
    '',
    `Best: **${f2(best)} docs/s**. Burst: ${n} requests at once, each on its own connection; latency from sending to the end of the answer.`,
    '',
    '| status | count | median ms | max ms | Retry-After s |',
    '|---:|---:|---:|---:|---:|',
    ...[...new Set(b.answers.map((a) => a.status))].sort().map((st) => {
      const xs = b.answers.filter((a) => a.status === st);
      const ra = xs.filter((a) => a.retryAfter !== undefined).map((a) => a.retryAfter!);
      return `| ${st || 'no answer'} | ${xs.length} | ${f0(quantile(xs.map((a) => a.ms), 0.5))} | ${f0(Math.max(...xs.map((a) => a.ms)))} | ${ra.length ? `${Math.min(...ra)}-${Math.max(...ra)}` : '–'} |`;
    }),
    '',
    `Targets (issue 44), side by side with the encoder's burst above (${e ? 'its 3,000-word burst' : 'not run'}):`,
    '',
    '| measure | target | likelihood: measured | met | encoder: measured |',
    '|---|---|---:|---|---:|',
    `| answers later than the deadline (${deadline / 1000} s from sending) | 0 | ${late.length} of ${n} (slowest ${f0(slowest)} ms) | ${late.length === 0 ? 'yes' : 'no'} | ${e ? `${e.late} of ${e.answered}` : '–'} |`,
    `| refusals at the door; median time to 503 | <= 50 ms | ${refused.length}; ${b.server503.n > 0 ? `<= ${f0(b.server503.medianMs)} ms (server)` : '–'}, ${refused.length ? f0(quantile(refused.map((a) => a.ms), 0.5)) : '–'} ms (from sending) | ${refused.length === 0 || b.server503.medianMs <= 50 ? 'yes (after arrival)' : 'no'} | ${e ? `${e.refused}; <= ${f0(e.median503Server)} ms (server), ${f0(e.median503Client)} ms (from sending)` : '–'} |`,
    `| admitted and then 504 | (0) | ${t504.length} | | ${e ? e.timedOut : '–'} |`,
    `| goodput / best steady | >= 0.8 | ${f2(goodput)} / ${f2(best)} = ${f2(ratio)} | ${ratio >= 0.8 ? 'yes' : 'no'} | ${e ? f2(e.goodputRatio) : '–'} |`,
    '',
    'A worker killed mid-batch (LLM_PROVENANCE_FAULT=<model>-exit:<n>, test and bench only: the first worker exits when its n-th run',
    'arrives, the first requests\' batch), 8 requests at once on a fresh server; ms after the crash: from the crash (its time in',
    '/metrics) to the answer, clocks of the same machine; crash to ready: llm_provenance_worker_recovery_seconds; cold start: the server\'s start to',
    'ready with every model (what a process restart would cost instead).',
    '',
    '| worker | sent | 200 | 503 model-restarting | 503 refused at the door | other errors | lost or hung | slowest 503 model-restarting, ms after the crash | restarts | crash to ready s | cold start s | next request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...crashes.map(crashRow),
    '',
    `Memory, both models loaded (the server process, worker threads included): RSS ${f0(idle.rss)} MB idle after start-up; peak`,
    `(VmHWM, over start-up, the steady loops and the burst) **${f0(peakMb)} MB**. Limits from it, x1.5 rounded up to 256 MB: **${limitMb} MB**`,
    `(docker-compose.yml \`memory\`, deploy/k8s \`limits.memory\`, for an instance with LIKELIHOOD=on).`,
  ];
  return { lines, peakMb };
}
