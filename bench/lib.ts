/**
 * Helpers shared by bench/run.ts and bench/soak.ts: deterministic texts, the real server as a child
 * process on a free loopback port, RSS of that process, percentiles, the machine description.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpuKernels } from '../src/encoder/cpu.js';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A section whose prerequisites are missing: printed as "not run: reason". */
export class NotRun extends Error {}

const PARAGRAPHS = [
  'The committee met on Tuesday to discuss the proposed changes to the recycling programme. Several residents complained that the new collection schedule was confusing, and one councillor argued that the pilot had been rushed.',
  "Honestly I don't think it matters that much. I've used both for years and the difference is tiny unless you're doing something really specific. Just pick the one your team already knows :)",
  'There are several ways to improve your sleep quality. Here are a few tips:\n\n1. Keep a consistent schedule, even on weekends.\n2. Avoid caffeine in the afternoon.\n3. Keep your bedroom dark, quiet and cool.',
  'The model was evaluated on three held-out sets (Smith et al., 2021). Accuracy improved from 81.2% to 86.7%, while calibration error decreased substantially; the gains were largest for short inputs.',
  'My grandmother kept a garden behind the house where she grew tomatoes, beans and an absurd number of marigolds. Every summer we would spend an afternoon picking whatever was ripe — and she told the same stories.',
  'It is important to note that climate models are not predictions but projections: they describe what might happen under a given set of assumptions. Furthermore, uncertainty arises from several sources.',
  'Wait, what? The store closed at 9 and we got there at 9:05... the guy literally locked the door while looking at us!!! Never going back. Anyway, the diner across the street was honestly better.',
  'To install the package, run `npm install left-pad` in your project directory. Then import it and call the function with the string and the desired length. If you hit permission errors, use a version manager.',
];

/** Deterministic English-like text of exactly `words` whitespace-separated words. */
export function sampleText(words: number, seed = 1): string {
  let state = (seed * 2654435761) >>> 0 || 1;
  const rnd = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  const out: string[] = [];
  let n = 0;
  while (n < words) {
    const p = PARAGRAPHS[Math.floor(rnd() * PARAGRAPHS.length)].split(' ');
    const take = p.slice(0, words - n);
    out.push(take.join(' '));
    n += take.length;
  }
  return out.join('\n\n');
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Least-squares line y = a + b x; returns slope, intercept and R². */
export function fitLine(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope, intercept: my - slope * mx, r2: syy > 0 && sxx > 0 ? (sxy * sxy) / (sxx * syy) : 1 };
}

export const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
export const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
export const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

export function machine(): string[] {
  const cpus = os.cpus();
  let ort = '?';
  try {
    ort = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/onnxruntime-node/package.json'), 'utf8')).version;
  } catch {
    /* reported as ? */
  }
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, nproc ${os.availableParallelism?.() ?? cpus.length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
    `- OS: ${os.type()} ${os.release()} ${os.arch()}; Node ${process.version}; onnxruntime-node ${ort}`,
    `- load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' / ')} (1/5/15 min)`,
    `- int8 kernels: onnxruntime picks them by these instruction sets (src/encoder/cpu.ts): ${cpuKernels().summary.replace(/^[^:]*: /, '')}`,
  ];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size (current and peak) of a process, from /proc, in MiB. */
export function rssOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

export interface ModelState {
  name: string;
  state: 'loading' | 'ready' | 'unavailable';
  reason?: string;
}

export interface RunningServer {
  url: string;
  pid: number;
  child: ChildProcess;
  models: ModelState[];
  ready(name: string): boolean;
  reason(name: string): string;
  stop(): Promise<number | null>;
  /** the last lines the server wrote to stderr/stdout */
  log(): string;
}

/**
 * Starts the real server (`node --import tsx src/server.ts`) on a free loopback port and waits until no
 * model is still loading (readyz 200, or every model ready/unavailable), at most `timeoutMs`.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 240_000): Promise<RunningServer> {
  if (!['src/server.ts', 'src/app.ts'].every((f) => exists(path.join(ROOT, f)))) throw new NotRun('src/server.ts / src/app.ts not present yet');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, LLM_PROVENANCE_MAIN: '1', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  let models: ModelState[] = [];
  for (;;) {
    if (exited !== undefined) throw new NotRun(`the server exited with code ${exited}: ${tail.trim().split('\n').slice(-3).join(' | ')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new NotRun(`the server did not finish loading its models within ${timeoutMs / 1000} s`);
    }
    try {
      const res = await fetch(`${url}/readyz`);
      const body = (await res.json()) as { models?: ModelState[] };
      models = body.models ?? [];
      if (res.status === 200 || (models.length > 0 && models.every((m) => m.state !== 'loading'))) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    url,
    pid: child.pid!,
    child,
    models,
    ready: (name) => models.some((m) => m.name === name && m.state === 'ready'),
    reason: (name) => {
      const m = models.find((x) => x.name === name);
      return m ? `${m.name} ${m.state}${m.reason ? `: ${m.reason}` : ''}` : `${name} not reported by /readyz`;
    },
    log: () => tail,
    stop: () =>
      new Promise((resolve) => {
        if (exited !== undefined) return resolve(exited);
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve(code);
        });
        child.kill('SIGTERM');
      }),
  };
}

function exists(p: string): boolean {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
}

export interface LoadResult {
  connections: number;
  seconds: number;
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  peakRssMiB: number;
}

type AutocannonFn = (opts: Record<string, unknown>) => NodeJS.EventEmitter & { stop(): void };

let autocannonMod: AutocannonFn | undefined;
async function autocannon(): Promise<AutocannonFn> {
  if (!autocannonMod) {
    const name = 'autocannon';
    const mod = (await import(name)) as { default: AutocannonFn };
    autocannonMod = mod.default;
  }
  return autocannonMod;
}

/**
 * One autocannon run against a running server; latency percentiles are computed from every response
 * (autocannon's own histogram has no p95); peak RSS is the server's largest VmRSS sampled every 100 ms.
 */
export async function load(
  server: { url: string; pid: number },
  opts: { path: string; body: string; connections: number; seconds?: number; amount?: number; method?: string },
): Promise<LoadResult> {
  const ac = await autocannon();
  const times: number[] = [];
  const statusCounts: Record<string, number> = {};
  let peak = rssOf(server.pid).rss;
  const sampler = setInterval(() => {
    const r = rssOf(server.pid).rss;
    if (r > peak) peak = r;
  }, 100);
  const t0 = performance.now();
  const result = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const inst = ac({
      url: server.url + opts.path,
      method: opts.method ?? 'POST',
      headers: { 'content-type': 'application/json' },
      body: opts.body,
      connections: opts.connections,
      ...(opts.amount ? { amount: opts.amount } : { duration: opts.seconds ?? 10 }),
      timeout: 60,
    });
    inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      times.push(ms);
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    });
    inst.on('done', resolve);
    inst.on('error', reject);
  });
  clearInterval(sampler);
  const seconds = (performance.now() - t0) / 1000;
  const ok = Object.entries(statusCounts).reduce((s, [k, v]) => s + (k.startsWith('2') ? v : 0), 0);
  return {
    connections: opts.connections,
    seconds,
    requests: times.length,
    ok,
    non2xx: times.length - ok,
    errors: Number(result.errors ?? 0),
    statusCounts,
    perSecond: ok / seconds,
    p50: quantile(times, 0.5),
    p95: quantile(times, 0.95),
    p99: quantile(times, 0.99),
    peakRssMiB: peak,
  };
}
