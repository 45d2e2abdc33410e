/**
 * The commands: analyze, detect-judgments, rubrics. Each returns an exit code and writes its results to
 * `out` (stdout) and its diagnostics to `err` (stderr), so tests and the bin share one code path.
 */
import { readFile } from 'node:fs/promises';
import { EXIT, exitForStatus, type ExitCode } from './exit-codes.js';
import { problemOf, type Client, type Problem } from './client.js';
import { interval, num, table } from './format.js';
import { Progress, type ProgressSink } from './progress.js';

export interface Io {
  out: { write(s: string): unknown };
  err: ProgressSink;
  stdin: NodeJS.ReadableStream;
}

/** One unit of work: it either has a result or a problem (with the exit code it maps to). */
interface Outcome<T> {
  code: ExitCode;
  result?: T;
  problem?: Problem;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}

/** problems found by the command itself, before any request (unreadable file, bad JSONL line) */
export const CLI_INPUT_PROBLEM = 'urn:llm-provenance:cli:input';

function inputProblem(title: string, detail: string, path?: string): Problem {
  return { type: CLI_INPUT_PROBLEM, title, status: 400, detail, ...(path ? { errors: [{ path, message: detail }] } : {}) };
}

/** "503 Model unavailable", or just the title for the command's own input problems */
function shortProblem(p: Problem | undefined): string {
  if (!p) return '';
  return p.type === CLI_INPUT_PROBLEM || !p.status ? p.title : `${p.status} ${p.title}`;
}

/** Reads a file (or stdin for `-`) as UTF-8 text; a problem when unreadable or not UTF-8. */
async function readText(file: string, stdin: NodeJS.ReadableStream): Promise<{ text?: string; problem?: Problem }> {
  let buf: Buffer;
  try {
    buf = file === '-' ? await readStream(stdin) : await readFile(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { problem: inputProblem('cannot read input', `${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message}`) };
  }
  try {
    return { text: utf8.decode(buf) };
  } catch {
    return { problem: inputProblem('input is not UTF-8 text', `${file}: not valid UTF-8 (binary file?)`) };
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}

function worst(codes: ExitCode[]): ExitCode {
  return codes.reduce<ExitCode>((a, b) => (b > a ? b : a), EXIT.OK);
}

function problemLine(name: string, p: Problem): string {
  const status = p.status && p.type !== CLI_INPUT_PROBLEM ? ` (HTTP ${p.status})` : '';
  let s = `${name}: ${p.title}${status}${p.detail ? `: ${p.detail}` : ''}`;
  for (const e of p.errors ?? []) s += `\n  ${e.path}: ${e.message}`;
  return s;
}

// ---------------------------------------------------------------- analyze

export interface AnalyzeOptions {
  files: string[];
  json: boolean;
  segments: boolean;
  explain: boolean;
  tasks?: string[];
  /** max_false_positive_rate of the decision (the service's default when absent) */
  maxFpr?: number;
  concurrency: number;
  progress: boolean;
}

interface TextResult {
  role?: { label: string; probabilities: Record<string, number>; confidence: string };
  involvement?: { ratio: number; interval: [number, number]; coverage: number };
  ai_probability?: number;
  decision?: { flagged: boolean; threshold: number; max_false_positive_rate: number; applicable?: false; reason?: string };
  language?: { code: string; confidence: number; supported?: boolean; uncertain?: true };
  segments?: { start: number; end: number; ai_probability: number }[];
  explanation?: { feature: string; value: number; contribution: number }[];
  warnings?: string[];
  usage?: { characters: number; tokens: number; windows: number };
  model?: { id: string; version: string };
}

export async function analyze(client: Client, opts: AnalyzeOptions, io: Io): Promise<ExitCode> {
  const outcomes: Outcome<TextResult>[] = new Array(opts.files.length);
  const progress = new Progress(opts.files.length, 'analyze', io.err, opts.progress);
  // stdin can be read once only: read it first
  await pool(opts.files, opts.concurrency, async (file, i) => {
    const { text, problem } = await readText(file, io.stdin);
    if (problem) {
      outcomes[i] = { code: EXIT.INPUT, problem };
    } else {
      const body: Record<string, unknown> = { text, segments: opts.segments, explain: opts.explain };
      if (opts.tasks) body.tasks = opts.tasks;
      if (opts.maxFpr !== undefined) body.max_false_positive_rate = opts.maxFpr;
      const res = await client.request('POST', '/v1/text/analyze', body);
      outcomes[i] = res.status === 200 ? { code: EXIT.OK, result: res.body as TextResult } : { code: exitForStatus(res.status), problem: problemOf(res) };
    }
    progress.tick(file);
  });
  progress.finish();

  const names = opts.files.map((f) => (f === '-' ? '(stdin)' : f));
  if (opts.json) {
    const doc = outcomes.map((o, i) => (o.result ? { file: names[i], result: o.result } : { file: names[i], error: o.problem }));
    io.out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const rows: string[][] = [];
    outcomes.forEach((o, i) => {
      const r = o.result;
      if (!r) {
        rows.push([names[i], 'error', '', '', '', '', '', shortProblem(o.problem)]);
        return;
      }
      const label = r.role?.label ?? '';
      rows.push([
        names[i],
        label,
        r.role ? num(r.role.probabilities[label]) : '',
        r.role?.confidence ?? '',
        num(r.ai_probability),
        r.involvement ? num(r.involvement.ratio) : '',
        r.involvement ? interval(r.involvement.interval) : '',
        r.warnings && r.warnings.length ? `${r.warnings.length} warning${r.warnings.length > 1 ? 's' : ''}` : '',
      ]);
    });
    io.out.write(`${table(['FILE', 'ROLE', 'P(ROLE)', 'CONFIDENCE', 'P(AI)', 'INVOLVEMENT', 'INTERVAL', 'NOTES'], rows, new Set([2, 4, 5]))}\n`);
    outcomes.forEach((o, i) => {
      const r = o.result;
      if (!r) return;
      const extra: string[] = [];
      if (r.role) {
        extra.push(`  roles: ${Object.entries(r.role.probabilities).map(([k, v]) => `${k} ${num(v)}`).join(', ')}`);
      }
      if (r.language) {
        const l = r.language;
        extra.push(`  language: ${l.code === 'und' ? 'undetermined' : `${l.code} (score ${num(l.confidence)})`}${l.uncertain ? ', uncertain: too few words to tell' : ''}${l.supported === false ? ', not one the models were trained and evaluated on' : ''}`);
      }
      if (r.decision?.applicable === false) {
        extra.push(`  decision: not applicable (${r.decision.reason ?? 'no reason given'}): not flagged, whatever P(AI) says`);
      } else if (r.decision) {
        const d = r.decision;
        extra.push(`  decision: ${d.flagged ? 'flagged' : 'not flagged'} as LLM-involved (P(AI) ${num(r.ai_probability)} ${d.flagged ? '>=' : '<'} ${num(d.threshold)}, the threshold for ${Math.round(d.max_false_positive_rate * 100)}% false positives)`);
      }
      if (r.involvement) extra.push(`  involvement ${num(r.involvement.ratio)} in ${interval(r.involvement.interval)} (${Math.round(r.involvement.coverage * 100)}% interval)`);
      for (const w of r.warnings ?? []) extra.push(`  warning: ${w}`);
      if (opts.segments && r.segments) {
        for (const s of r.segments) extra.push(`  segment ${s.start}-${s.end}: P(AI) ${num(s.ai_probability)}`);
      }
      if (opts.explain && r.explanation) {
        for (const c of r.explanation) extra.push(`  ${c.contribution >= 0 ? '+' : ''}${num(c.contribution, 3)} ${c.feature} = ${num(c.value, 3)}`);
      }
      if (extra.length) io.out.write(`\n${names[i]}\n${extra.join('\n')}\n`);
    });
  }
  outcomes.forEach((o, i) => {
    if (o.problem) io.err.write(`${problemLine(names[i], o.problem)}\n`);
  });
  return worst(outcomes.map((o) => o.code));
}

// ---------------------------------------------------------------- detect-judgments

export interface JudgmentsOptions {
  file: string;
  json: boolean;
  explain: boolean;
  rubric?: string;
  concurrency: number;
  progress: boolean;
}

interface JudgmentResult {
  rubric: string;
  judgments: { llm_probability: number; label: string }[];
  group: { k: number; llm_probability: number; label: string };
  explanation?: { feature: string; value: number; contribution: number }[];
  warnings?: string[];
  model?: { id: string; version: string };
}

interface Line {
  line: number;
  id?: unknown;
  body?: Record<string, unknown>;
  problem?: Problem;
}

/** One JSONL line -> a /v1/judgments/detect body: a group ({judgments}) or one judgment ({scores, candidate}). */
export function lineToRequest(raw: unknown, defaultRubric: string | undefined, explain: boolean): { body?: Record<string, unknown>; id?: unknown; problem?: Problem } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problem: inputProblem('invalid line', 'each line must be a JSON object', '/') };
  }
  const o = raw as Record<string, unknown>;
  const rubric = o.rubric ?? defaultRubric;
  if (typeof rubric !== 'string' || rubric === '') return { id: o.id, problem: inputProblem('invalid line', 'no "rubric" (give it on the line or with --rubric)', '/rubric') };
  let judgments: unknown;
  if (Array.isArray(o.judgments)) judgments = o.judgments;
  else if (o.scores && typeof o.scores === 'object') judgments = [o.candidate === undefined ? { scores: o.scores } : { candidate: o.candidate, scores: o.scores }];
  else return { id: o.id, problem: inputProblem('invalid line', 'a line needs "judgments" (an array) or "scores" (an object)', '/judgments') };
  return { id: o.id, body: { rubric, judgments, explain: explain || o.explain === true } };
}

export async function detectJudgments(client: Client, opts: JudgmentsOptions, io: Io): Promise<ExitCode> {
  const { text, problem } = await readText(opts.file, io.stdin);
  const name = opts.file === '-' ? '(stdin)' : opts.file;
  if (problem) {
    if (opts.json) io.out.write(`${JSON.stringify([{ file: name, error: problem }], null, 2)}\n`);
    io.err.write(`${problemLine(name, problem)}\n`);
    return EXIT.INPUT;
  }
  const lines: Line[] = [];
  text!.split(/\r?\n/).forEach((s, i) => {
    if (s.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(s);
    } catch (err) {
      lines.push({ line: i + 1, problem: inputProblem('invalid JSON', `line ${i + 1}: ${(err as Error).message}`) });
      return;
    }
    lines.push({ line: i + 1, ...lineToRequest(parsed, opts.rubric, opts.explain) });
  });
  if (lines.length === 0) {
    io.err.write(`${name}: no judgments (the file is empty)\n`);
    if (opts.json) io.out.write('[]\n');
    return EXIT.INPUT;
  }

  const outcomes: Outcome<JudgmentResult>[] = new Array(lines.length);
  const progress = new Progress(lines.length, 'detect', io.err, opts.progress);
  await pool(lines, opts.concurrency, async (l, i) => {
    if (l.problem || !l.body) {
      outcomes[i] = { code: EXIT.INPUT, problem: l.problem };
    } else {
      const res = await client.request('POST', '/v1/judgments/detect', l.body);
      outcomes[i] = res.status === 200 ? { code: EXIT.OK, result: res.body as JudgmentResult } : { code: exitForStatus(res.status), problem: problemOf(res) };
    }
    progress.tick(`line ${l.line}`);
  });
  progress.finish();

  if (opts.json) {
    const doc = outcomes.map((o, i) => ({
      line: lines[i].line,
      ...(lines[i].id !== undefined ? { id: lines[i].id } : {}),
      ...(o.result ? { result: o.result } : { error: o.problem }),
    }));
    io.out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    const rows = outcomes.map((o, i) => {
      const l = lines[i];
      const id = l.id === undefined ? '' : String(l.id);
      const r = o.result;
      if (!r) return [String(l.line), id, String(l.body?.rubric ?? ''), '', 'error', '', shortProblem(o.problem)];
      return [
        String(l.line),
        id,
        r.rubric,
        String(r.group.k),
        num(r.group.llm_probability),
        r.group.label,
        r.judgments.map((j) => num(j.llm_probability)).join(' '),
      ];
    });
    io.out.write(`${table(['LINE', 'ID', 'RUBRIC', 'K', 'P(LLM)', 'LABEL', 'PER JUDGMENT'], rows, new Set([0, 3, 4]))}\n`);
    outcomes.forEach((o, i) => {
      const r = o.result;
      if (!r) return;
      const extra: string[] = [];
      for (const w of r.warnings ?? []) extra.push(`  warning: ${w}`);
      if (opts.explain && r.explanation) {
        for (const c of r.explanation) extra.push(`  ${c.contribution >= 0 ? '+' : ''}${num(c.contribution, 3)} ${c.feature} = ${num(c.value, 3)}`);
      }
      if (extra.length) io.out.write(`\nline ${lines[i].line}\n${extra.join('\n')}\n`);
    });
  }
  outcomes.forEach((o, i) => {
    if (o.problem) io.err.write(`${problemLine(`${name}:${lines[i].line}`, o.problem)}\n`);
  });
  return worst(outcomes.map((o) => o.code));
}

// ---------------------------------------------------------------- rubrics

interface Rubric {
  id: string;
  description?: string;
  dimensions?: { name: string; min: number; max: number }[];
  candidate_fields?: string[];
}

export async function listRubrics(client: Client, opts: { json: boolean }, io: Io): Promise<ExitCode> {
  const res = await client.request('GET', '/v1/judgments/rubrics');
  if (res.status !== 200) {
    const p = problemOf(res);
    if (opts.json) io.out.write(`${JSON.stringify({ error: p }, null, 2)}\n`);
    io.err.write(`${problemLine('rubrics', p)}\n`);
    return exitForStatus(res.status);
  }
  if (opts.json) {
    io.out.write(`${JSON.stringify(res.body, null, 2)}\n`);
    return EXIT.OK;
  }
  const b = res.body as Rubric[] | { rubrics?: Rubric[] };
  const list: Rubric[] = Array.isArray(b) ? b : (b.rubrics ?? []);
  const rows = list.map((r) => [
    r.id,
    (r.dimensions ?? []).map((d) => `${d.name} ${d.min}..${d.max}`).join(', '),
    (r.candidate_fields ?? []).join(', ') || '(scores only)',
  ]);
  io.out.write(`${table(['RUBRIC', 'DIMENSIONS', 'CANDIDATE FIELDS'], rows)}\n`);
  return EXIT.OK;
}
