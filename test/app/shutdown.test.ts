/**
 * Graceful shutdown under load, with the real server process: requests stream in, SIGTERM arrives,
 * every request the server accepted (its own log names it) gets an answer, and the process exits 0.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LONG_TEXT } from '../helpers/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Outcome {
  id: string;
  status?: number;
  error?: string;
}

function send(port: number, id: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = JSON.stringify({ text: LONG_TEXT });
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/v1/text/analyze', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ id, status: res.statusCode }));
        res.on('error', (e) => resolve({ id, error: e.message }));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ id, error: e.code ?? e.message }));
    req.end(body);
  });
}

t.test('SIGTERM while requests are in flight loses none of them; exit code 0', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/slow-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SLOW_MS: '1500', SHUTDOWN_GRACE_MS: '15000', RATE_LIMIT_MAX: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 60_000);
    child.stdout.on('data', (d) => {
      log += d;
      const m = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  // a first wave that will certainly be in flight when the signal arrives
  const outcomes: Promise<Outcome>[] = [];
  for (let i = 0; i < 20; i++) outcomes.push(send(port, `wave-${i}`));
  // wait until the server has received all of them
  const t0 = Date.now();
  while ((log.match(/"reqId":"wave-\d+"[^\n]*"msg":"incoming request"/g) ?? []).length < 20 && Date.now() - t0 < 20_000) {
    await new Promise((r) => setTimeout(r, 20));
  }
  // keep streaming requests while the signal arrives
  let streaming = true;
  let n = 0;
  const stream = (async () => {
    while (streaming) {
      outcomes.push(send(port, `stream-${n++}`));
      await new Promise((r) => setTimeout(r, 15));
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  child.kill('SIGTERM');
  const code = await exited;
  streaming = false;
  await stream;
  const results = await Promise.all(outcomes);

  t.equal(code, 0, `exit code 0\n${stderr}`);
  t.match(log, /shutting down/);
  t.match(log, /shut down cleanly/);
  const wave = results.filter((r) => r.id.startsWith('wave-'));
  t.same(wave.map((r) => r.status), Array(20).fill(200), 'every request in flight at SIGTERM completed with 200');
  const afterSignal = log.slice(log.indexOf('shutting down'));
  t.ok(/"reqId":"wave-\d+"[^\n]*"msg":"request completed"/.test(afterSignal), 'requests of the first wave were still in flight when the signal arrived');

  // every request the server logged as received got an HTTP answer
  const accepted = new Set([...log.matchAll(/"reqId":"([\w-]+)"[^\n]*"msg":"incoming request"/g)].map((m) => m[1]));
  const unanswered = results.filter((r) => accepted.has(r.id) && r.status === undefined);
  t.same(unanswered, [], 'no accepted request was left without an answer');
  const streamed = results.filter((r) => r.id.startsWith('stream-'));
  t.ok(streamed.length > 0, `streamed ${streamed.length} requests around the signal`);
  for (const r of streamed) {
    if (r.status !== undefined) t.ok([200, 503].includes(r.status), `${r.id}: answered ${r.status}`);
    else t.ok(!accepted.has(r.id), `${r.id}: refused (${r.error}) and never accepted`);
  }
});
