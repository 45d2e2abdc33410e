/**
 * docker-compose.yml for real: docker-compose (Debian's 1.29) talks to podman's Docker-compatible
 * API (`podman system service`), starts 3 replicas of the CPU image behind nginx
 * (deploy/nginx/nginx.conf as mounted by the compose file, its resolver pointed at podman's DNS by
 * the compose entrypoint), and a stream of requests goes through nginx while one replica is
 * SIGKILLed: every request must be answered, with the answer a single replica gives. Then `--scale` adds a
 * replica: nginx must send it requests without a reload, again losing none.
 *
 * Needs podman, docker-compose, the image `npm run image:build` makes and the nginx image
 * (NGINX_IMAGE, default localhost/nginx:local from `deploy/base-image.sh nginx`; nginx:1.28-alpine
 * where a registry is reachable). Skipped, saying which is missing, otherwise.
 */
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, podmanEnv, podmanSkip, IMAGE, NGINX_IMAGE, ROOT, sleep, waitFor } from '../helpers/podman.js';

type Obj = Record<string, any>;
const REPLICAS = 3;
const STREAM = 120;
const CONCURRENCY = 4;
const KILL_AFTER = 30;

t.setTimeout(900_000); // 3 replicas + nginx on a loaded 2-core machine: more than tap's default per-file timeout
const COMPOSE = ['/usr/bin/docker-compose', '/usr/local/bin/docker-compose'].find((p) => existsSync(p));
const skip = COMPOSE ? podmanSkip([IMAGE, NGINX_IMAGE]) : 'docker-compose not installed (Debian package docker-compose): compose test skipped';

const TEXTS = [
  'The committee met on Tuesday to review the budget. After a long discussion about the cost of repairs to the old library roof, members agreed to postpone the vote until the engineers could present a second estimate. Several residents spoke during the public comment period, most of them asking that the reading room stay open during the work.',
  'In conclusion, it is important to note that effective time management is a multifaceted skill that encompasses planning, prioritization, and self-discipline. By leveraging these strategies, individuals can enhance their productivity, reduce stress, and achieve a healthier work-life balance. Ultimately, mastering time management empowers people to reach their full potential.',
  'i dunno, the bus was late again so i walked. took forever, my shoes are soaked. anyway the meeting got moved to thursday which honestly is fine by me, gives me time to finish the slides. did you ever hear back from the landlord about the heater?',
];

interface Req { name: string; method: 'GET' | 'POST'; path: string; body?: unknown }
interface Answer { status: number; body: unknown }

async function ask(base: string, req: Req, id: string): Promise<Answer> {
  const res = await fetch(`${base}${req.path}`, {
    method: req.method,
    headers: { 'x-request-id': id, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try { body = JSON.parse(text); } catch { /* keep text */ }
  if (body && typeof body === 'object' && 'instance' in body) delete (body as Obj).instance; // the request id
  return { status: res.status, body };
}

t.test(`docker-compose on podman: ${REPLICAS} replicas behind nginx lose no request when one is SIGKILLed`, { skip, timeout: 900_000 }, async (t) => {
  const env = podmanEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'llmp-compose-'));
  const sock = path.join(dir, 'podman.sock');
  const project = `llmpe2e${process.pid}`;
  const port = await freePort();
  const composeEnv = {
    ...env, DOCKER_HOST: `unix://${sock}`, COMPOSE_PROJECT_NAME: project, LLM_PROVENANCE_PORT: String(port),
    NGINX_IMAGE, INTRA_OP_THREADS: '1', LOG_LEVEL: 'info',
  };
  const podman = (args: string[], timeout = 120_000) => spawnSync('podman', args, { env, encoding: 'utf8', timeout });
  const compose = (args: string[], timeout = 300_000) => spawnSync(COMPOSE!, ['-f', path.join(ROOT, 'docker-compose.yml'), ...args], { cwd: ROOT, env: composeEnv, encoding: 'utf8', timeout });

  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${sock}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let serviceErr = '';
  service.stderr!.on('data', (d: Buffer) => { serviceErr = (serviceErr + d.toString()).slice(-4000); });
  t.teardown(async () => {
    const down = compose(['down', '--volumes', '--timeout', '5']);
    if (down.status !== 0) t.comment(`docker-compose down: ${down.stderr}`);
    for (const c of podman(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean)) podman(['rm', '-f', '-t', '0', c]);
    podman(['network', 'rm', '-f', `${project}_default`]);
    const gone = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await Promise.race([gone, sleep(10_000)]);
    rmSync(dir, { recursive: true, force: true });
  });
  // leftovers of a run that was killed before its teardown (its process is gone)
  for (const c of podman(['ps', '-a', '--format', '{{.Names}}']).stdout.split('\n')) {
    const pid = Number(/^llmpe2e(\d+)_/.exec(c)?.[1]);
    if (!pid || pid === process.pid) continue;
    let alive = true;
    try { process.kill(pid, 0); } catch { alive = false; }
    if (!alive) { podman(['rm', '-f', '-t', '0', c]); podman(['network', 'rm', '-f', `llmpe2e${pid}_default`]); t.comment(`removed ${c}, left by a killed run`); }
  }
  await waitFor('podman system service socket', async () => existsSync(sock), 30_000, () => (service.exitCode !== null ? serviceErr : undefined));

  const started = Date.now();
  const up = compose(['up', '--detach', '--no-build', '--scale', `app=${REPLICAS}`]);
  t.equal(up.status, 0, `docker-compose up -d --scale app=${REPLICAS}: ${up.stderr.slice(-2000)}`);
  const names = (svc: string) => podman(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${svc}`, '--format', '{{.Names}}'])
    .stdout.split('\n').filter(Boolean).sort();
  const apps = names('app');
  t.equal(apps.length, REPLICAS, `${REPLICAS} app containers: ${apps.join(', ')}`);
  t.equal(names('nginx').length, 1, 'one nginx');
  t.equal(names('app-gpu').length, 0, 'no GPU replica without --profile gpu');
  // every replica ready by the image's own HEALTHCHECK (/readyz)
  await waitFor('every replica healthy', async () => apps.every((c) => podman(['healthcheck', 'run', c]).status === 0), 300_000);
  t.comment(`docker-compose up to ${REPLICAS} healthy replicas: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const base = `http://127.0.0.1:${port}`;
  await waitFor('nginx answers /readyz 200', async () => (await fetch(`${base}/readyz`)).status === 200, 60_000);
  const app0: Obj = JSON.parse(podman(['inspect', apps[0]]).stdout)[0];
  t.equal(app0.HostConfig.ReadonlyRootfs, true, 'replicas run with a read-only root filesystem');
  t.equal(app0.Config.User, '1000:1000');

  // the requests and their answers from one replica (asked through nginx before anything is killed)
  const rub = (await ask(base, { name: 'r', method: 'GET', path: '/v1/judgments/rubrics' }, 'setup-rubrics')).body as Obj;
  const rubric = (rub.rubrics as Obj[]).find((r) => r.id === 'helpsteer2')!;
  const scores = (k: number) => Object.fromEntries((rubric.dimensions as Obj[]).map((d, j) => [d.name, d.min + ((k + j) % (d.max - d.min + 1))]));
  const candidate = Object.fromEntries((rubric.candidate_fields as string[]).map((f) => [f, `${f}: ${TEXTS[0].slice(0, 120)}`]));
  const reqs: Req[] = [
    ...TEXTS.map((text, i) => ({ name: `text-${i}`, method: 'POST' as const, path: '/v1/text/analyze', body: { text, segments: i % 2 === 0 } })),
    { name: 'judgments', method: 'POST', path: '/v1/judgments/detect', body: { rubric: 'helpsteer2', judgments: [{ candidate, scores: scores(0) }, { candidate, scores: scores(1) }] } },
    { name: 'invalid-post', method: 'POST', path: '/v1/text/analyze', body: { text: 5 } },
    { name: 'models', method: 'GET', path: '/v1/models' },
  ];
  const reference = new Map<string, Answer>();
  for (const r of reqs) {
    const a = await ask(base, r, `ref-${r.name}`);
    reference.set(r.name, a);
    t.equal(a.status, r.name === 'invalid-post' ? 400 : 200, `${r.name}: ${a.status}`);
  }

  const victim = apps[1];
  const answers: { i: number; name: string; answer?: Answer; error?: string }[] = [];
  let next = 0;
  let killed = false;
  const worker = async () => {
    while (next < STREAM) {
      const i = next++;
      const r = reqs[i % reqs.length];
      try { answers.push({ i, name: r.name, answer: await ask(base, r, `stream-${i}`) }); } catch (err) { answers.push({ i, name: r.name, error: String(err) }); }
      if (answers.length === KILL_AFTER && !killed) {
        killed = true;
        const k = podman(['kill', '--signal', 'KILL', victim]);
        t.equal(k.status, 0, `replica ${victim} SIGKILLed after ${KILL_AFTER} of ${STREAM} answers`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  t.equal(answers.length, STREAM, 'every request got an answer');
  const wrong = answers.filter((x) => x.error || JSON.stringify(x.answer) !== JSON.stringify(reference.get(x.name)));
  t.same(wrong.slice(0, 5), [], `all ${STREAM} answers equal the single replica's (wrong: ${wrong.length})`);

  // nginx's access log: which replica answered, and the retries the kill caused
  const nginxLogs = podman(['logs', names('nginx')[0]]);
  const access = nginxLogs.stdout.split('\n').filter((l) => / request_id=stream-\d+ /.test(l));
  // a wrong answer comes with what nginx saw: its access line (which replicas, their statuses) and its errors
  for (const w of wrong.slice(0, 5)) {
    t.comment(`wrong answer to stream-${w.i} (${w.name}): ${JSON.stringify(w.answer ?? w.error).slice(0, 300)}`);
    for (const l of access.filter((l) => l.includes(` request_id=stream-${w.i} `))) t.comment(`  nginx: ${l}`);
  }
  if (wrong.length > 0) for (const l of nginxLogs.stderr.split('\n').filter((l) => /\[(warn|error|crit)\]/.test(l)).slice(-20)) t.comment(`  nginx: ${l}`);
  t.equal(access.length, STREAM, 'nginx logged every request of the stream');
  // $upstream_addr: ", " between tries, " : " before nginx's fresh try (deploy/nginx/nginx.conf @fresh_try)
  const upstreamOf = (l: string) => /upstream=(.*?) upstream_status=/.exec(l)?.[1] ?? '';
  const upstreams = new Set(access.flatMap((l) => upstreamOf(l).split(/, | : /)).filter((a) => a !== 'llm_provenance'));
  t.ok(upstreams.size >= REPLICAS, `nginx spread the stream over ${upstreams.size} replica addresses (${[...upstreams].join(' ')})`);
  const retried = access.filter((l) => /[,:] /.test(upstreamOf(l)));
  t.comment(`requests nginx sent to another replica after the first failed: ${retried.length}, of them after a fresh try: ${retried.filter((l) => / : /.test(l)).length}`);
  for (const l of retried.slice(0, 3)) t.comment(`  ${l}`);
  const state = podman(['inspect', '--format', '{{.State.Status}} restarts={{.RestartCount}}', victim]).stdout.trim();
  t.comment(`the killed replica afterwards: ${state} (restart: unless-stopped)`);

  // scaling up: nginx sends requests to a replica that `--scale` adds, without a reload (its resolver re-reads
  // the service name every 5 s), and the address list changing under requests in flight loses none of them
  const before = new Set(apps);
  const scaled = compose(['up', '--detach', '--no-build', '--no-recreate', '--scale', `app=${REPLICAS + 1}`]);
  t.equal(scaled.status, 0, `docker-compose up -d --scale app=${REPLICAS + 1}: ${scaled.stderr.slice(-2000)}`);
  const added = names('app').filter((c) => !before.has(c));
  t.equal(added.length, 1, `--scale app=${REPLICAS + 1} added one replica: ${added.join(', ')}`);
  await waitFor('the added replica healthy', async () => podman(['healthcheck', 'run', added[0]]).status === 0, 300_000);
  const networks: Obj = JSON.parse(podman(['inspect', added[0]]).stdout)[0].NetworkSettings.Networks;
  const addedAt = `${Object.values(networks).map((n: Obj) => n.IPAddress).find(Boolean)}:8080`;
  const healthyAt = Date.now();
  const scaleWrong: string[] = [];
  let sent = 0;
  const answeredByAdded = () => podman(['logs', names('nginx')[0]]).stdout.split('\n').filter((l) => / request_id=scale-\d+ /.test(l) && upstreamOf(l).startsWith(addedAt)).length;
  await waitFor(`nginx sends a request to the added replica ${addedAt}`, async () => {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      const i = sent++;
      const r = reqs[i % reqs.length];
      const a = await ask(base, r, `scale-${i}`);
      if (JSON.stringify(a) !== JSON.stringify(reference.get(r.name))) scaleWrong.push(`scale-${i} (${r.name}): ${JSON.stringify(a).slice(0, 200)}`);
    }));
    return answeredByAdded() > 0;
  }, 60_000);
  t.comment(`the added replica ${addedAt} answered through nginx ${((Date.now() - healthyAt) / 1000).toFixed(1)} s after it was healthy, after ${sent} requests`);
  t.same(scaleWrong.slice(0, 5), [], `all ${sent} answers while scaling up equal the single replica's (wrong: ${scaleWrong.length})`);
});
