/**
 * The command line, run as a real child process (node --import tsx src/cli/index.ts).
 * - against the real app listening on a port with the TEST DOUBLE detectors (test/helpers/doubles.ts):
 *   every answer must equal what the API itself returns for the same body;
 * - against nothing (closed port) and without models: the documented exit codes;
 * - `serve` + `--url`, and the in-process models, with the committed models/ directory: success when the
 *   trained models are there, exit code 3 naming the missing model when they are not.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { build, LONG_TEXT } from '../helpers/build.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'src/cli/index.ts');
const MODEL_DIR = path.join(ROOT, 'models');

const tmp = mkdtempSync(path.join(os.tmpdir(), 'llmp-cli-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
function file(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

const TEXT_A = LONG_TEXT;
const TEXT_B = 'Short words here. We go. It is ok to be so. '.repeat(12);
const fileA = file('a.txt', TEXT_A);
const fileB = file('b.txt', TEXT_B);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, MODEL_DIR, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

async function post(base: string, url: string, body: unknown) {
  const res = await fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** a problem without its `instance` (the request id differs per request) */
function withoutInstance(p: Record<string, unknown>) {
  const { instance: _i, ...rest } = p;
  return rest;
}

async function listen(t: Test, detectors: 'doubles' | 'none' = 'doubles'): Promise<string> {
  const app = await build(t, { detectors });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
}

t.test('usage errors exit 1', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0, '--help exits 0');
  for (const s of ['analyze', 'detect-judgments', 'serve', '--json', '--url', 'Exit codes']) t.match(help.stdout, s);
  const cases: [string[], RegExp][] = [
    [[], /Usage/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['analyze'], /needs at least one FILE/],
    [['analyze', '--bogus', fileA], /Unknown option '--bogus'/],
    [['analyze', '--tasks', 'colour', fileA], /--tasks takes role and\/or involvement/],
    [['analyze', '--timeout', '5', fileA], /--timeout needs --url/],
    [['analyze', '--max-fpr', '0.2', fileA], /--max-fpr takes 0.01, 0.05 or 0.1/],
    [['analyze', '--url', 'ftp://x', fileA], /--url must be http/],
    [['analyze', '-', '-'], /stdin \(-\) can be given once only/],
    [['analyze', '--concurrency', '0', '--url', 'http://127.0.0.1:1', fileA], /--concurrency must be/],
    [['detect-judgments'], /exactly one FILE.jsonl/],
    [['serve', '--nope'], /Unknown option/],
  ];
  for (const [args, msg] of cases) {
    const r = await run(args);
    t.equal(r.code, 1, `${args.join(' ') || '(no arguments)'} exits 1`);
    t.match(r.stdout + r.stderr, msg);
  }
});

t.test('analyze against a service (test-double detectors)', async (t) => {
  const base = await listen(t);

  t.test('--json: the API answer for each file, in order', async (t) => {
    const r = await run(['analyze', '--url', base, '--json', '--segments', '--explain', fileA, fileB]);
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.equal(out.length, 2);
    for (const [i, [f, text]] of [[fileA, TEXT_A], [fileB, TEXT_B]].entries()) {
      const api = await post(base, '/v1/text/analyze', { text, segments: true, explain: true });
      t.same(out[i], { file: f, result: api.body }, `${path.basename(f)} as the API answers`);
    }
    t.notMatch(r.stderr, '\r', 'no progress bar when stderr is not a terminal');
  });

  t.test('a table for people', async (t) => {
    const api = await post(base, '/v1/text/analyze', { text: TEXT_A, segments: false, explain: false });
    const r = await run(['analyze', '--url', base, fileA, fileB]);
    t.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    t.match(lines[0], /^FILE\s+ROLE\s+P\(ROLE\)\s+CONFIDENCE\s+P\(AI\)\s+INVOLVEMENT\s+INTERVAL\s+NOTES$/);
    const row = lines.find((l) => l.startsWith(fileA))!;
    t.ok(row, 'a row per file');
    const label = api.body.role.label as string;
    t.match(row, new RegExp(`\\s${label}\\s+${api.body.role.probabilities[label].toFixed(2)}\\s+${api.body.role.confidence}\\s+${api.body.ai_probability.toFixed(2)}\\s+${api.body.involvement.ratio.toFixed(2)}`));
    t.match(r.stdout, `warning: ${api.body.warnings[0]}`, 'warnings listed under the table');
    t.match(r.stdout, `decision: ${api.body.decision.flagged ? 'flagged' : 'not flagged'} as LLM-involved`, 'the decision under the table');
    t.match(r.stdout, 'the threshold for 5% false positives', 'at the default rate');
  });

  t.test('--max-fpr asks for the decision at another false-positive rate', async (t) => {
    const r = await run(['analyze', '--url', base, '--json', '--max-fpr', '0.01', fileA]);
    t.equal(r.code, 0, r.stderr);
    const api = await post(base, '/v1/text/analyze', { text: TEXT_A, segments: false, explain: false, max_false_positive_rate: 0.01 });
    const d = JSON.parse(r.stdout)[0].result.decision;
    t.same(d, api.body.decision, 'the decision the API gives at 0.01');
    t.equal(d.max_false_positive_rate, 0.01);
  });

  t.test('stdin with -', async (t) => {
    const r = await run(['analyze', '--url', base, '--json', '--tasks', 'role', '-'], { input: TEXT_B });
    t.equal(r.code, 0, r.stderr);
    const api = await post(base, '/v1/text/analyze', { text: TEXT_B, tasks: ['role'], segments: false, explain: false });
    t.same(JSON.parse(r.stdout), [{ file: '(stdin)', result: api.body }]);
  });

  t.test('unreadable and rejected inputs exit 2; the other files are still analyzed', async (t) => {
    const missing = path.join(tmp, 'missing.txt');
    const binary = file('binary.dat', Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]));
    const invisible = file('invisible.txt', '\u200b\u200b\u200b');
    const r = await run(['analyze', '--url', base, '--json', missing, fileA, binary, invisible]);
    t.equal(r.code, 2);
    const out = JSON.parse(r.stdout);
    t.match(out[0], { file: missing, error: { title: 'cannot read input', detail: /no such file/ } });
    t.ok(out[1].result, 'the good file is analyzed');
    t.match(out[2], { file: binary, error: { title: 'input is not UTF-8 text' } });
    const api = await post(base, '/v1/text/analyze', { text: '\u200b\u200b\u200b', segments: false, explain: false });
    t.equal(api.status, 400);
    t.same(withoutInstance(out[3].error), withoutInstance(api.body), 'the service problem is passed on as is');
    t.match(r.stderr, `${missing}: cannot read input`);
    t.match(r.stderr, `${invisible}: ${api.body.title} (HTTP 400)`);
    const table = await run(['analyze', '--url', base, missing]);
    t.equal(table.code, 2);
    t.match(table.stdout, /missing\.txt\s+error\s+cannot read input/);
  });

  t.test('many files: same answers with any concurrency', async (t) => {
    const files = Array.from({ length: 12 }, (_, i) => file(`many-${i}.txt`, `${TEXT_A} Number ${i} of many ${'x'.repeat(i)}.`));
    const r = await run(['analyze', '--url', base, '--json', '--concurrency', '5', ...files]);
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    t.same(out.map((o: { file: string }) => o.file), files, 'in input order');
    const last = await post(base, '/v1/text/analyze', { text: `${TEXT_A} Number 11 of many ${'x'.repeat(11)}.`, segments: false, explain: false });
    t.same(out[11].result, last.body);
  });
});

t.test('detect-judgments and rubrics against a service (test-double detectors)', async (t) => {
  const base = await listen(t);
  const rubrics = (await (await fetch(`${base}/v1/judgments/rubrics`)).json()) as any;
  const list = (Array.isArray(rubrics) ? rubrics : rubrics.rubrics) as { id: string; dimensions: { name: string; min: number; max: number }[]; candidate_fields: string[] }[];
  const r0 = list.find((r) => r.candidate_fields.length > 0)!;
  const scores = (v: (d: { min: number; max: number }) => number) => Object.fromEntries(r0.dimensions.map((d) => [d.name, v(d)]));
  const candidate = Object.fromEntries(r0.candidate_fields.map((f) => [f, `a ${f}`]));
  const group = { rubric: r0.id, judgments: [{ candidate, scores: scores((d) => d.min) }, { candidate, scores: scores((d) => d.max) }] };
  const single = { id: 'one', rubric: r0.id, candidate, scores: scores((d) => d.max) };

  t.test('--json: one answer per line, as the API gives it', async (t) => {
    const f = file('ok.jsonl', `${JSON.stringify(group)}\n\n${JSON.stringify(single)}\n`);
    const r = await run(['detect-judgments', '--url', base, '--json', f]);
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const a1 = await post(base, '/v1/judgments/detect', { ...group, explain: false });
    const a2 = await post(base, '/v1/judgments/detect', { rubric: r0.id, judgments: [{ candidate, scores: single.scores }], explain: false });
    t.same(out, [
      { line: 1, result: a1.body },
      { line: 3, id: 'one', result: a2.body },
    ]);
  });

  t.test('a table, --rubric for lines without one, stdin', async (t) => {
    const { rubric: _r, ...noRubric } = group;
    const r = await run(['detect-judgments', '--url', base, '--rubric', r0.id, '-'], { input: JSON.stringify(noRubric) });
    t.equal(r.code, 0, r.stderr);
    const api = await post(base, '/v1/judgments/detect', { ...group, explain: false });
    t.match(r.stdout, /^LINE\s+ID\s+RUBRIC\s+K\s+P\(LLM\)\s+LABEL\s+PER JUDGMENT/);
    t.match(r.stdout, new RegExp(`\\n\\s*1\\s+${r0.id}\\s+2\\s+${api.body.group.llm_probability.toFixed(2)}\\s+${api.body.group.label}\\s+${api.body.judgments.map((j: { llm_probability: number }) => j.llm_probability.toFixed(2)).join(' ')}`));
  });

  t.test('bad lines exit 2 and name their line; good lines are still answered', async (t) => {
    const outOfRange = { rubric: r0.id, judgments: [{ candidate, scores: scores((d) => d.max + 1) }] };
    const f = file('bad.jsonl', [JSON.stringify(group), '{"rubric": ', JSON.stringify(outOfRange), JSON.stringify({ rubric: r0.id }), JSON.stringify({ rubric: 'no-such-rubric', scores: {} })].join('\n'));
    const r = await run(['detect-judgments', '--url', base, '--json', f]);
    t.equal(r.code, 2);
    const out = JSON.parse(r.stdout);
    t.equal(out.length, 5);
    t.ok(out[0].result, 'line 1 answered');
    t.match(out[1], { line: 2, error: { title: 'invalid JSON' } });
    t.match(out[2], { line: 3, error: { status: 400, errors: [{ path: `/judgments/0/scores/${r0.dimensions[0].name}` }] } });
    t.match(out[3], { line: 4, error: { errors: [{ path: '/judgments' }] } });
    t.match(out[4], { line: 5, error: { status: 400 } });
    t.match(r.stderr, `${f}:2: invalid JSON`);
  });

  t.test('an empty or missing file exits 2', async (t) => {
    t.equal((await run(['detect-judgments', '--url', base, file('empty.jsonl', '\n\n')])).code, 2);
    t.equal((await run(['detect-judgments', '--url', base, path.join(tmp, 'nope.jsonl')])).code, 2);
  });

  t.test('rubrics', async (t) => {
    const j = await run(['rubrics', '--url', base, '--json']);
    t.equal(j.code, 0);
    t.same(JSON.parse(j.stdout), rubrics);
    const table = await run(['rubrics', '--url', base]);
    t.equal(table.code, 0);
    for (const r of list) t.match(table.stdout, r.id);
  });
});

t.test('API keys: refused exits 4, --api-key or $LLM_PROVENANCE_API_KEY gets in', async (t) => {
  const key = 'test-key-0123456789abcdef';
  const app = await build(t, { env: { API_KEYS: key } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
  const refused = await run(['analyze', '--url', base, '--json', fileA]);
  t.equal(refused.code, 4);
  t.match(JSON.parse(refused.stdout)[0].error, { status: 401 });
  t.equal((await run(['analyze', '--url', base, '--api-key', key, fileA])).code, 0);
  t.equal((await run(['rubrics', '--url', base], { env: { LLM_PROVENANCE_API_KEY: key } })).code, 0);
  t.equal((await run(['analyze', '--api-key', key, fileA])).code, 1, '--api-key without --url is a usage error');
});

t.test('service or model unavailable exits 3', async (t) => {
  // a port nobody listens on
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const down = await run(['analyze', '--url', `http://127.0.0.1:${port}`, '--json', fileA]);
  t.equal(down.code, 3);
  t.match(JSON.parse(down.stdout)[0], { file: fileA, error: { title: 'service unreachable', detail: /ECONNREFUSED/ } });

  const base = await listen(t, 'none');
  const r = await run(['analyze', '--url', base, '--json', fileA, path.join(tmp, 'missing.txt')]);
  t.equal(r.code, 3, '503 outranks an input error');
  const api = await post(base, '/v1/text/analyze', { text: TEXT_A, segments: false, explain: false });
  t.equal(api.status, 503);
  t.same(withoutInstance(JSON.parse(r.stdout)[0].error), withoutInstance(api.body), 'the 503 problem is passed on');
  const j = await run(['detect-judgments', '--url', base, file('g.jsonl', '{"rubric":"x","scores":{"a":1}}')]);
  t.equal(j.code, 3);
  t.match(j.stderr, '(HTTP 503)');
});

// ---------------------------------------------------------------- the committed models

function textModelsPresent(): boolean {
  return existsSync(path.join(MODEL_DIR, 'encoder', 'config.json')) && existsSync(path.join(MODEL_DIR, 'heads', 'config.json'));
}

function judgmentModelsPresent(): boolean {
  const d = path.join(MODEL_DIR, 'judgments');
  if (!existsSync(d)) return false;
  return existsSync(path.join(d, 'config.json')) || readdirSync(d).some((x) => existsSync(path.join(d, x, 'config.json')) || existsSync(path.join(d, x, 'rubric.json')));
}

t.test('serve, --url and in-process with the committed models', async (t) => {
  const present = textModelsPresent();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--port', '0', '--host', '127.0.0.1', '--model-dir', MODEL_DIR], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', RATE_LIMIT_MAX: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${log}`)), 120_000);
    const onData = (b: Buffer) => {
      log += b;
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`serve exited ${code}:\n${log}`)));
  });
  t.equal((await fetch(`${base}/healthz`)).status, 200, 'serve starts the service');
  for (let i = 0; i < 600; i++) {
    const body = await (await fetch(`${base}/readyz`)).text();
    if (!body.includes('"loading"')) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  const remote = await run(['analyze', '--url', base, '--json', '--segments', fileA]);
  const local = await run(['analyze', '--json', '--segments', fileA]);
  if (present) {
    t.equal(remote.code, 0, `--url: ${remote.stderr}`);
    t.equal(local.code, 0, `in-process: ${local.stderr}`);
    const a = JSON.parse(remote.stdout)[0].result;
    const b = JSON.parse(local.stdout)[0].result;
    t.equal(a.role.label, b.role.label, 'in-process and --url agree');
    for (const [role, p] of Object.entries(a.role.probabilities as Record<string, number>)) {
      t.ok(Math.abs(b.role.probabilities[role] - p) < 1e-4, `${role}: ${p} vs ${b.role.probabilities[role]}`);
    }
    t.equal(a.segments.length, b.segments.length);
  } else {
    t.equal(remote.code, 3, '--url: no trained models, exit 3');
    t.equal(local.code, 3, 'in-process: no trained models, exit 3');
    const p = JSON.parse(local.stdout)[0].error;
    t.match(p, { status: 503, detail: /not available/ }, 'the problem names the missing model');
    t.same(JSON.parse(remote.stdout)[0].error.detail, p.detail, 'same problem both ways');
  }

  const jf = file('real.jsonl', JSON.stringify({ rubric: 'helpsteer2', scores: { helpfulness: 3, correctness: 3, coherence: 4, complexity: 2, verbosity: 2 } }));
  const j = await run(['detect-judgments', '--url', base, '--json', jf]);
  if (judgmentModelsPresent()) t.ok(j.code === 0 || j.code === 2, `judgments answered or the rubric named: ${j.stderr}`);
  else t.equal(j.code, 3, 'no judgment models: exit 3');

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'serve drains and exits 0 on SIGTERM');
});
