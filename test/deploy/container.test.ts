/**
 * The CPU image, run for real with podman and talked to from outside, as a pipeline would:
 * - the image itself: non-root user, HEALTHCHECK on /readyz, port 8080, no dev dependencies,
 *   training code, tests or TypeScript sources inside;
 * - `podman run --read-only` with a published port: /readyz, the image's own HEALTHCHECK
 *   (`podman healthcheck run`), POST /v1/text/analyze and POST /v1/judgments/detect from the host;
 * - SIGTERM with a request in flight: that request is answered 200 and the container exits 0.
 *
 * Needs podman and the image `npm run image:build` makes (LLMP_IMAGE, default
 * localhost/llm-provenance:cpu); skipped, saying which is missing, otherwise. The podman settings
 * for sandboxed hosts (deploy/podman/containers.conf) are used when CONTAINERS_CONF is not set.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { freePort, podmanEnv, podmanSkip, IMAGE, waitFor } from '../helpers/podman.js';

type Obj = Record<string, any>;

// the image runs for minutes on a loaded 2-core machine: more than tap's default per-file timeout
t.setTimeout(900_000);
const skip = podmanSkip();
const env = podmanEnv();
const podman = (args: string[], timeout = 120_000) => spawnSync('podman', args, { env, encoding: 'utf8', timeout });

const TEXT = 'In conclusion, it is important to note that effective time management is a multifaceted skill that encompasses planning, prioritization, and self-discipline. By leveraging these strategies, individuals can enhance their productivity, reduce stress, and achieve a healthier work-life balance. Ultimately, mastering time management empowers people to reach their full potential.';

t.test('the image: non-root, HEALTHCHECK on /readyz, port 8080, nothing but the runtime inside', { skip }, async (t) => {
  const r = podman(['image', 'inspect', IMAGE]);
  t.equal(r.status, 0, r.stderr);
  const img: Obj = JSON.parse(r.stdout)[0];
  t.comment(`image ${IMAGE}: ${(img.Size / 1e6).toFixed(0)} MB, ${img.RootFS?.Layers?.length} layers`);
  t.equal(img.Config.User, '1000:1000', 'runs as 1000:1000');
  t.ok(img.Config.ExposedPorts?.['8080/tcp'], 'exposes 8080');
  const hc = img.Healthcheck ?? img.Config.Healthcheck;
  t.ok(hc, 'HEALTHCHECK kept (podman build --format docker)');
  t.match((hc?.Test ?? []).join(' '), /\/readyz/, 'HEALTHCHECK asks /readyz');
  const envs = Object.fromEntries((img.Config.Env as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
  t.match(envs, { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8080', MODEL_DIR: '/app/models', DEVICE: 'cpu' });
  t.same(img.Config.Cmd, ['node', 'dist/src/server.js']);

  const inside = podman(['run', '--rm', '--network', 'none', '--entrypoint', 'sh', IMAGE, '-c', [
    'cd /app && ls -A', 'echo ---', 'ls models', 'echo ---',
    'for p in node_modules/typescript node_modules/tap node_modules/tsx node_modules/@types src training test bench scripts .git dist/test dist/training; do [ -e "$p" ] && echo "present: $p"; done',
    'find / -xdev -name "*.ts" -path "*/app/*" ! -path "*/node_modules/*" | head -3', 'echo ---',
    'ls node_modules/onnxruntime-node/bin/napi-v6', 'echo ---', 'touch /app/x 2>/dev/null && echo app-writable', 'true',
  ].join('; ')]);
  t.equal(inside.status, 0, inside.stderr);
  const [top, models, leftovers, platforms, writable] = inside.stdout.split('---\n');
  t.same(top.trim().split('\n').sort(), ['dist', 'models', 'node_modules', 'package.json', 'web'], '/app holds the runtime only');
  for (const m of ['encoder', 'heads', 'judgments', 'MODEL_CARD.md']) t.ok(models.split('\n').includes(m), `models/${m} baked in`);
  t.equal(leftovers.trim(), '', 'no dev dependency, training code, test or TypeScript source in the image');
  t.same(platforms.trim().split('\n'), ['linux'], 'onnxruntime binaries for linux only');
  t.equal(writable.trim(), '', '/app is not writable by the service user');
});

t.test('podman run --read-only: /readyz, analyze and judgment calls from outside, SIGTERM drain', { skip, timeout: 600_000 }, async (t) => {
  const port = await freePort();
  const name = `llmp-e2e-${process.pid}`;
  t.teardown(() => { podman(['rm', '--force', '--time', '0', name]); });
  const started = Date.now();
  const run = podman(['run', '--detach', '--name', name, '--read-only', '--tmpfs', '/tmp', '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges', '-p', `127.0.0.1:${port}:8080`,
    '-e', 'LOG_LEVEL=info', '-e', 'SHUTDOWN_GRACE_MS=120000', IMAGE]);
  t.equal(run.status, 0, `podman run: ${run.stderr}`);
  const base = `http://127.0.0.1:${port}`;
  const logs = () => { const l = podman(['logs', name]); return l.stdout + l.stderr; };
  let ready: Obj = {};
  await waitFor('/readyz 200', async () => {
    const r = await fetch(`${base}/readyz`);
    ready = await r.json() as Obj;
    return r.status === 200;
  }, 300_000, () => podman(['inspect', '--format', '{{.State.Running}}', name]).stdout.trim() === 'false' ? logs() : undefined);
  t.comment(`start to ready (podman run to /readyz 200): ${((Date.now() - started) / 1000).toFixed(1)} s`);
  t.match(ready, { status: 'ready' });
  t.ok((ready.models as Obj[]).every((m) => m.state === 'ready'), `every model ready: ${JSON.stringify(ready.models)}`);
  // the image's HEALTHCHECK run by hand (podman runs it from systemd timers, absent here)
  let hc = podman(['healthcheck', 'run', name]);
  for (let i = 0; i < 5 && hc.status !== 0; i++) { t.comment(`healthcheck: ${hc.stdout}${hc.stderr}`.trim()); hc = podman(['healthcheck', 'run', name]); }
  t.equal(hc.status, 0, `the image's HEALTHCHECK passes (podman healthcheck run): ${hc.stdout}${hc.stderr}`);

  const post = (p: string, body: unknown, id: string) => fetch(`${base}${p}`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(body),
  });
  const a = await post('/v1/text/analyze', { text: TEXT }, 'e2e-analyze');
  t.equal(a.status, 200, 'POST /v1/text/analyze 200');
  const ab = await a.json() as Obj;
  t.ok(['human_author', 'llm_creator', 'llm_polisher', 'llm_extender'].includes(ab.role?.label), `role ${ab.role?.label}`);
  t.ok(ab.ai_probability >= 0 && ab.ai_probability <= 1, 'ai_probability in [0, 1]');
  t.equal(a.headers.get('x-request-id'), 'e2e-analyze');

  const bad = await post('/v1/text/analyze', { text: 5 }, 'e2e-bad');
  t.equal(bad.status, 400);
  t.match(bad.headers.get('content-type'), /^application\/problem\+json/);

  const rubrics = await (await fetch(`${base}/v1/judgments/rubrics`)).json() as Obj;
  const rubric = (rubrics.rubrics as Obj[]).find((r) => r.id === 'helpsteer2');
  t.ok(rubric, 'rubric helpsteer2 listed');
  const scores = (k: number) => Object.fromEntries((rubric!.dimensions as Obj[]).map((d, j) => [d.name, d.min + ((k + j) % (d.max - d.min + 1))]));
  const candidate = Object.fromEntries((rubric!.candidate_fields as string[]).map((f) => [f, `${f}: ${TEXT.slice(0, 120)}`]));
  const j = await post('/v1/judgments/detect', { rubric: 'helpsteer2', judgments: [{ candidate, scores: scores(0) }, { candidate, scores: scores(1) }] }, 'e2e-judgments');
  const jb = await j.json() as Obj;
  t.equal(j.status, 200, `POST /v1/judgments/detect 200: ${JSON.stringify(jb).slice(0, 300)}`);

  // SIGTERM with a request in flight, made certain without timing: the request's headers and half
  // its body go out, the service logs it ("incoming request"), the container gets SIGTERM, the
  // service logs its shutdown, and only then does the rest of the body follow. It must be answered
  // 200, and the container must exit 0.
  const body = Buffer.from(JSON.stringify({ text: TEXT, segments: true }));
  let resolveAnswer!: (a: { status: number; body: Obj }) => void;
  const answer = new Promise<{ status: number; body: Obj }>((r) => { resolveAnswer = r; });
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/text/analyze',
    headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-request-id': 'e2e-drain' } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d: string) => { text += d; });
    res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body: JSON.parse(text) as Obj }));
  });
  req.on('error', (err) => resolveAnswer({ status: 0, body: { error: String(err) } }));
  req.write(body.subarray(0, body.length >> 1));
  await waitFor('the drain request reached the service', async () => /"reqId":"e2e-drain"[^\n]*incoming request/.test(logs()), 120_000);
  const waitExit = spawn('podman', ['wait', name], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let waitOut = '';
  waitExit.stdout.on('data', (d: Buffer) => { waitOut += d.toString(); });
  const waited = new Promise<void>((resolve) => waitExit.on('exit', () => resolve()));
  t.equal(podman(['kill', '--signal', 'TERM', name]).status, 0, 'SIGTERM sent while the request is in flight');
  await waitFor('the service logs its shutdown', async () => /shutting down/.test(logs()), 120_000);
  req.end(body.subarray(body.length >> 1));
  const answered = await answer;
  t.equal(answered.status, 200, `the request in flight at SIGTERM is answered 200 (${JSON.stringify(answered.body).slice(0, 200)})`);
  t.ok(Array.isArray(answered.body.segments), 'with its segments');
  await waited;
  t.equal(waitOut.trim(), '0', 'the container exits 0');
  const log = logs();
  const shutdownAt = log.indexOf('shutting down');
  const doneAt = log.search(/"reqId":"e2e-drain"[^\n]*request completed/);
  t.ok(shutdownAt >= 0 && doneAt > shutdownAt, 'the service logged the shutdown before that request completed');
  t.match(log, /shut down cleanly/);
});
