/**
 * The compose topology without Docker: two REAL service processes and a REAL nginx (Debian's
 * /usr/sbin/nginx) on loopback, nginx configured from deploy/nginx/nginx.conf itself (rendered by
 * deploy/nginx/render.mjs, which only changes addresses and file paths) and the services with the
 * environment of docker-compose.yml's `app` service. A stream of requests goes through nginx; one
 * replica is SIGKILLed mid-stream. Every request must still be answered, and every answer must equal
 * the answer of a single instance asked directly.
 *
 * Which requests: POST /v1/text/analyze and POST /v1/judgments/detect when their models are loaded
 * (200 answers), always an invalid POST (400 problem+json: exercises POST retries without models)
 * and GET /v1/models. With no trained models in models/ only the last two run, and the test says so.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
// @ts-expect-error plain ESM helper without type declarations
import { renderNginxConf } from '../../deploy/nginx/render.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const NGINX = '/usr/sbin/nginx';
const STREAM = 160; // requests through nginx
const CONCURRENCY = 4;
const KILL_AFTER = 40; // answers received before one replica is killed

type Obj = Record<string, any>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** docker-compose.yml's `app` environment, `${VAR:-default}` taken at its default. */
function composeAppEnv(): Record<string, string> {
  const compose = parseYaml(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true });
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(compose.services.app.environment as Record<string, unknown>)) {
    env[k] = String(v ?? '').replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
  }
  return env;
}

/** `node dist/src/server.js` when the build is newer than every source file, else tsx on src/. */
function serverCommand(): { args: string[]; how: string } {
  const dist = path.join(ROOT, 'dist/src/server.js');
  if (existsSync(dist)) {
    const built = statSync(dist).mtimeMs;
    const newest = (dir: string): number => readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = path.join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : e.name.endsWith('.ts') ? statSync(p).mtimeMs : 0);
    }, 0);
    if (newest(path.join(ROOT, 'src')) <= built) return { args: [dist], how: 'node dist/src/server.js' };
  }
  return { args: ['--import', 'tsx', path.join(ROOT, 'src/server.ts')], how: 'node --import tsx src/server.ts (dist/ absent or older than src/)' };
}

interface Proc { child: ChildProcess; port: number; log: string[]; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function startServer(port: number): Proc {
  const { NODE_OPTIONS: _drop, ...parentEnv } = process.env;
  const env = {
    ...parentEnv,
    ...composeAppEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    MODEL_DIR: path.join(ROOT, 'models'),
    LOG_LEVEL: 'warn',
    INTRA_OP_THREADS: '1', // a small CI machine runs two replicas and nginx
  };
  const child = spawn(process.execPath, serverCommand().args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  const keep = (b: Buffer) => { log.push(b.toString()); if (log.length > 200) log.shift(); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, port, log, exited };
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number, proc?: Proc): Promise<void> {
  const until = Date.now() + timeoutMs;
  let dead = false;
  proc?.exited.then(() => { dead = true; });
  while (Date.now() < until) {
    if (dead) throw new Error(`${what}: the process exited first:\n${proc!.log.join('').slice(-3000)}`);
    if (await fn().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${proc ? `\n${proc.log.join('').slice(-3000)}` : ''}`);
}

interface Req { name: string; method: 'GET' | 'POST'; path: string; body?: unknown }
interface Answer { status: number; body: unknown }

async function ask(port: number, req: Req, requestId: string): Promise<Answer> {
  const res = await fetch(`http://127.0.0.1:${port}${req.path}`, {
    method: req.method,
    headers: { 'x-request-id': requestId, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* keep text */ }
  // `instance` is the request id, which differs per request by design
  if (body && typeof body === 'object' && 'instance' in body) delete (body as Obj).instance;
  return { status: res.status, body };
}

const TEXTS = [
  'The committee met on Tuesday to review the budget. After a long discussion about the cost of repairs to the old library roof, members agreed to postpone the vote until the engineers could present a second estimate. Several residents spoke during the public comment period, most of them asking that the reading room stay open during the work.',
  'In conclusion, it is important to note that effective time management is a multifaceted skill that encompasses planning, prioritization, and self-discipline. By leveraging these strategies, individuals can enhance their productivity, reduce stress, and achieve a healthier work-life balance. Ultimately, mastering time management empowers people to reach their full potential.',
  'i dunno, the bus was late again so i walked. took forever, my shoes are soaked. anyway the meeting got moved to thursday which honestly is fine by me, gives me time to finish the slides. did you ever hear back from the landlord about the heater?',
  'Photosynthesis converts light energy into chemical energy. In the light-dependent reactions, water is split and oxygen is released, while ATP and NADPH are produced. The Calvin cycle then uses these carriers to fix carbon dioxide into sugars. This process not only sustains plant growth but also underpins nearly every food web on Earth.',
];

async function buildRequests(port: number, models: Obj[]): Promise<{ reqs: Req[]; notes: string[] }> {
  const ready = (name: string) => models.some((m) => m.name === name && m.state === 'ready');
  const reqs: Req[] = [];
  const notes: string[] = [];
  if (ready('text-heads')) {
    TEXTS.forEach((text, i) => reqs.push({ name: `text-${i}`, method: 'POST', path: '/v1/text/analyze', body: { text, segments: i % 2 === 0, explain: i % 2 === 1 } }));
  } else notes.push('text heads not loaded: POST /v1/text/analyze (200 once models/ holds them) not exercised');
  if (ready('judgments')) {
    const rubrics = await ask(port, { name: 'rubrics', method: 'GET', path: '/v1/judgments/rubrics' }, 'setup-rubrics');
    const list: Obj[] = (rubrics.body as Obj)?.rubrics ?? (Array.isArray(rubrics.body) ? rubrics.body : []);
    const r = list.find((x) => x.id === 'helpsteer2') ?? list[0];
    if (r) {
      const scores = (k: number) => Object.fromEntries((r.dimensions as Obj[]).map((d, j) => [d.name, d.min + ((k + j) % (d.max - d.min + 1))]));
      const fields: string[] = r.candidate_fields ?? r.fields ?? ['prompt', 'response'];
      const candidate = Object.fromEntries(fields.map((f) => [f, `${f}: ${TEXTS[0].slice(0, 120)}`]));
      for (let k = 0; k < 2; k++) {
        reqs.push({ name: `judgments-${k}`, method: 'POST', path: '/v1/judgments/detect', body: { rubric: r.id, judgments: [{ candidate, scores: scores(k) }, { candidate, scores: scores(k + 1) }] } });
      }
    } else notes.push('judgments ready but no rubric listed: POST /v1/judgments/detect not exercised');
  } else notes.push('judgment heads not loaded: POST /v1/judgments/detect (200 once models/ holds them) not exercised');
  reqs.push({ name: 'invalid-post', method: 'POST', path: '/v1/text/analyze', body: { text: 5 } });
  reqs.push({ name: 'models', method: 'GET', path: '/v1/models' });
  return { reqs, notes };
}

const skip = existsSync(NGINX) ? false : `${NGINX} not installed (Debian package nginx): the failover test needs a real nginx`;

t.test('nginx in front of two replicas loses no request when one is SIGKILLed mid-stream', { timeout: 600_000, skip }, async (t) => {
  const [portA, portB] = [await freePort(), await freePort()];
  t.comment(`replicas started with: ${serverCommand().how}`);
  const a = startServer(portA);
  const b = startServer(portB);
  const procs = [a, b];
  let nginx: ChildProcess | undefined;
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'llmp-lb-'));
  t.teardown(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(procs.map((p) => p.exited));
    // SIGTERM, not SIGKILL: nginx's master then stops its workers (a killed master leaves them behind)
    if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
      const gone = new Promise((resolve) => nginx!.once('exit', resolve));
      nginx.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
    }
    rmSync(prefix, { recursive: true, force: true });
  });

  // both replicas alive, and every model either ready or definitely unavailable (not still loading)
  let models: Obj[] = [];
  for (const p of procs) {
    await waitFor(`replica :${p.port} /healthz`, async () => (await fetch(`http://127.0.0.1:${p.port}/healthz`)).status === 200, 180_000, p);
    await waitFor(`replica :${p.port} models settled`, async () => {
      const r = await ask(p.port, { name: 'readyz', method: 'GET', path: '/readyz' }, 'setup-readyz');
      models = (r.body as Obj).models ?? [];
      return models.length > 0 && models.every((m) => m.state !== 'loading');
    }, 300_000, p);
  }
  t.comment(`models: ${models.map((m) => `${m.name}=${m.state}`).join(', ')}`);
  const { reqs, notes } = await buildRequests(portA, models);
  for (const n of notes) t.comment(`NOTE: ${n}`);

  // the single-instance answers, asked directly; the other replica answers the same
  const reference = new Map<string, Answer>();
  for (const r of reqs) {
    const ref = await ask(portA, r, `ref-a-${r.name}`);
    reference.set(r.name, ref);
    t.same(await ask(portB, r, `ref-b-${r.name}`), ref, `${r.name}: both replicas give the same answer (${ref.status})`);
  }
  t.ok(reqs.filter((r) => r.method === 'POST').length >= 1, 'the stream includes POST requests');

  // nginx from deploy/nginx/nginx.conf, on a port found free just before it starts: a port found free
  // minutes earlier, before the replicas were up, can meanwhile be taken by a test file running in
  // parallel (tap jobs: 2). A bind that fails anyway ("Address already in use") gets another port, twice.
  const confFile = path.join(prefix, 'nginx.conf');
  const errorLog = path.join(prefix, 'error.log');
  const nginxLog: string[] = [];
  let portLb = 0;
  for (let attempt = 1; ; attempt++) {
    portLb = await freePort();
    writeFileSync(confFile, renderNginxConf({ prefix, listen: `127.0.0.1:${portLb}`, backends: [`127.0.0.1:${portA}`, `127.0.0.1:${portB}`] }));
    nginxLog.length = 0;
    const proc = spawn(NGINX, ['-p', prefix, '-c', confFile, '-e', errorLog, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    nginx = proc;
    proc.stderr!.on('data', (d: Buffer) => nginxLog.push(d.toString()));
    proc.stdout!.on('data', (d: Buffer) => nginxLog.push(d.toString()));
    let gone = false;
    proc.once('exit', () => { gone = true; });
    let up = false;
    const until = Date.now() + 30_000;
    while (!up && !gone && Date.now() < until) {
      up = await fetch(`http://127.0.0.1:${portLb}/nginx-health`).then((r) => r.status === 200, () => false);
      if (!up) await sleep(250);
    }
    if (up) break;
    const said = nginxLog.join('') + (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
    if (gone && /in use/i.test(said) && attempt < 3) {
      t.comment(`nginx: port ${portLb} was taken meanwhile, another port`);
      continue;
    }
    throw new Error(`nginx /nginx-health: ${gone ? 'nginx exited' : 'not within 30000 ms'}: ${said.slice(-3000)}`);
  }

  // the stream, with one replica killed after KILL_AFTER answers
  const answers: { i: number; name: string; answer?: Answer; error?: string }[] = [];
  let next = 0;
  let killedAt = -1;
  const worker = async () => {
    while (next < STREAM) {
      const i = next++;
      const r = reqs[i % reqs.length];
      try {
        answers.push({ i, name: r.name, answer: await ask(portLb, r, `stream-${i}`) });
      } catch (err) {
        answers.push({ i, name: r.name, error: String(err) });
      }
      if (answers.length === KILL_AFTER && killedAt < 0) {
        killedAt = answers.length;
        b.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const bExit = await b.exited;
  t.equal(bExit.signal, 'SIGKILL', `replica B was SIGKILLed after ${killedAt} of ${STREAM} answers`);

  t.equal(answers.length, STREAM, 'every request got an answer');
  const wrong = answers.filter((x) => x.error || JSON.stringify(x.answer) !== JSON.stringify(reference.get(x.name)));
  t.same(wrong.slice(0, 5), [], `all ${STREAM} answers equal the single instance's (wrong: ${wrong.length})`);
  t.ok(a.child.exitCode === null && a.child.signalCode === null, 'replica A is still running');

  // what nginx did: both replicas served, and requests caught by the kill went to the next replica
  await sleep(200);
  const access = readFileSync(path.join(prefix, 'access.log'), 'utf8').split('\n').filter((l) => / request_id=stream-\d+ /.test(l));
  t.equal(access.length, STREAM, 'nginx logged every request of the stream');
  const upstreamOf = (l: string) => /upstream=(.*?) upstream_status=/.exec(l)?.[1] ?? '';
  t.ok(access.some((l) => upstreamOf(l).includes(`:${portA}`)), 'replica A served requests');
  t.ok(access.some((l) => upstreamOf(l).includes(`:${portB}`)), 'replica B served requests before it died');
  const retried = access.filter((l) => upstreamOf(l).includes(','));
  t.comment(`requests nginx sent to a second replica after the first failed: ${retried.length}`);
  for (const l of retried.slice(0, 5)) t.comment(`  ${l}`);
  // errors nginx makes itself are problem+json, like the service's
  const big = await fetch(`http://127.0.0.1:${portLb}/v1/text/analyze`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'a'.repeat(5 * 1024 * 1024) }),
  });
  t.equal(big.status, 413, 'a body over the proxy limit is 413');
  t.match(big.headers.get('content-type'), /^application\/problem\+json/);
  t.match(await big.json(), { status: 413, title: 'Payload Too Large' });
  a.child.kill('SIGKILL');
  await a.exited;
  const none = await fetch(`http://127.0.0.1:${portLb}/v1/models`);
  t.equal(none.status, 503, 'with every replica gone nginx answers 503');
  t.equal(none.headers.get('retry-after'), '5');
  t.match(none.headers.get('content-type'), /^application\/problem\+json/);
  t.match(await none.json(), { status: 503, title: 'Service Unavailable' });

  const statuses = new Set([...reference.values()].map((r) => r.status));
  t.ok(access.every((l) => statuses.has(Number(/" (\d{3}) /.exec(l)?.[1]))), `nginx answered every request with the service's own status (${[...statuses].join(', ')})`);
});
