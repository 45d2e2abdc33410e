/** The HTTP load both overload benches drive: one POST, closed-loop clients, the server's duration histogram. */
import http from 'node:http';
import { quantile, type RunningServer } from './lib.js';

export interface Answer {
  status: number;
  /** ms from sending to the full answer */
  ms: number;
  /** ms since the phase started, when the answer came */
  at: number;
  /** Date.now() when the answer came */
  wall: number;
  retryAfter?: number;
  /** the problem's `type`, for a 4xx/5xx answer with a problem+json body */
  type?: string;
}

/** One POST /v1/text/analyze on `agent`; never rejects (a failed request answers status 0). */
export function send(url: string, body: string, agent: http.Agent, t0: number): Promise<Answer> {
  const start = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      `${url}/v1/text/analyze`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const end = performance.now();
          const ra = res.headers['retry-after'];
          let type: string | undefined;
          if ((res.statusCode ?? 0) >= 400) {
            try {
              type = (JSON.parse(Buffer.concat(chunks).toString()) as { type?: string }).type;
            } catch {
              /* no body */
            }
          }
          resolve({ status: res.statusCode ?? 0, ms: end - start, at: end - t0, wall: Date.now(), retryAfter: ra ? Number(ra) : undefined, type });
        });
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error('client timeout')));
    req.on('error', () => {
      const end = performance.now();
      resolve({ status: 0, ms: end - start, at: end - t0, wall: Date.now() });
    });
    req.end(body);
  });
}

/**
 * Closed loops: `c` clients, each sending its next body when its answer comes, for `seconds`. With
 * `honourRetryAfter` a refused client waits as told (Retry-After, else 1 s), as a well-behaved one does.
 */
export async function steady(
  s: RunningServer,
  bodies: string[],
  c: number,
  seconds: number,
  opts: { honourRetryAfter?: boolean } = {},
): Promise<{ c: number; rate: number; p50: number; non200: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: c });
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const ok: Answer[] = [];
  let non200 = 0;
  let k = 0;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (performance.now() < end) {
        const a = await send(s.url, bodies[k++ % bodies.length], agent, t0);
        if (a.status === 200) ok.push(a);
        else {
          non200++;
          if (opts.honourRetryAfter) await new Promise((r) => setTimeout(r, 1000 * (a.retryAfter ?? 1)));
        }
      }
    }),
  );
  agent.destroy();
  const last = ok.reduce((m, a) => Math.max(m, a.at), 0);
  return { c, rate: ok.length > 0 ? (ok.length / last) * 1000 : 0, p50: quantile(ok.map((a) => a.ms), 0.5), non200 };
}

/** GET /metrics as text ('' when it cannot be read) */
export async function metricsText(url: string): Promise<string> {
  try {
    return await (await fetch(`${url}/metrics`)).text();
  } catch {
    return '';
  }
}

/** cumulative counts of the server's request-duration histogram for POST /v1/text/analyze with `status`, by bucket bound (s) */
export async function durationBuckets(url: string, status: number): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const re = new RegExp(`^http_request_duration_seconds_bucket\\{le="([^"]+)",method="POST",route="/v1/text/analyze",status_code="${status}"\\} (\\d+)`, 'gm');
  for (const m of (await metricsText(url)).matchAll(re)) out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return out;
}

/**
 * The server's own view of the phase's answers with one status (from when the request reached it to
 * the answer): the bucket bounds (ms) that hold the median and the slowest, from the histogram's change.
 */
export function serverSide(before: Map<number, number>, after: Map<number, number>): { n: number; medianMs: number; maxMs: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cum = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const n = cum.at(-1) ?? 0;
  const bound = (k: number) => 1000 * (bounds[cum.findIndex((c) => c >= k)] ?? NaN);
  return { n, medianMs: n > 0 ? bound(Math.ceil(n / 2)) : NaN, maxMs: n > 0 ? bound(n) : NaN };
}
