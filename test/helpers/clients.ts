/**
 * Generated-client tests (test/app/client-*.test.ts): the pinned generators, installed once into a cache
 * under os.tmpdir() keyed by version (a venv from PyPI, a Go binary from the Go module proxy), the service
 * listening for real, and a program run against it. A missing toolchain is a skip that says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';
import { build } from './build.js';

export const TOOL_CACHE = path.join(os.tmpdir(), 'llm-provenance-client-tools');
export const PYTHON_GENERATOR = { name: 'openapi-python-client', version: '0.29.1' };
export const GO_GENERATOR = { module: 'github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen', version: 'v2.8.2' };

export type Tool = { ok: true; path: string } | { ok: false; reason: string };

function has(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8' }).status === 0 || spawnSync(cmd, ['version'], { encoding: 'utf8' }).status === 0;
}

function tail(s: string | null | undefined): string {
  return (s ?? '').trim().split('\n').slice(-5).join('\n');
}

/** Runs `install(tmp)` into a fresh directory, then renames it to `dir` (concurrent runs never see half an install). */
function installOnce(dir: string, marker: string, install: (tmp: string) => string | null): Tool {
  if (existsSync(path.join(dir, marker))) return { ok: true, path: path.join(dir, marker) };
  mkdirSync(TOOL_CACHE, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const failed = install(tmp);
  if (failed !== null) {
    rmSync(tmp, { recursive: true, force: true });
    return { ok: false, reason: failed };
  }
  if (!existsSync(path.join(dir, marker))) {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } else rmSync(tmp, { recursive: true, force: true });
  return { ok: true, path: path.join(dir, marker) };
}

/** The venv's python with openapi-python-client installed (run it as `python -m openapi_python_client`). */
export function pythonGenerator(): Tool {
  const python = ['python3', 'python'].find(has);
  if (!python) return { ok: false, reason: 'no python3 on PATH (.ci/run installs it)' };
  const dir = path.join(TOOL_CACHE, `${PYTHON_GENERATOR.name}-${PYTHON_GENERATOR.version}`);
  const tool = installOnce(dir, 'ready', (tmp) => {
    const venv = spawnSync(python, ['-m', 'venv', tmp], { encoding: 'utf8' });
    if (venv.status !== 0) return `${python} -m venv failed (python3-venv missing?): ${tail(venv.stderr)}`;
    const pip = spawnSync(
      path.join(tmp, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `${PYTHON_GENERATOR.name}==${PYTHON_GENERATOR.version}`],
      { encoding: 'utf8', timeout: 180_000 },
    );
    if (pip.status !== 0) return `pip could not install ${PYTHON_GENERATOR.name}==${PYTHON_GENERATOR.version} (no access to PyPI?): ${tail(pip.stderr) || pip.error?.message}`;
    writeFileSync(path.join(tmp, 'ready'), '');
    return null;
  });
  // a venv keeps working after the rename: it is run as bin/python -m ..., never through a script's shebang
  return tool.ok ? { ok: true, path: path.join(dir, 'bin', 'python') } : tool;
}

/** The oapi-codegen binary, `go install`ed from the Go module proxy. */
export function goGenerator(): Tool {
  if (!has('go')) return { ok: false, reason: 'no go on PATH (.ci/run installs golang)' };
  const dir = path.join(TOOL_CACHE, `oapi-codegen-${GO_GENERATOR.version}`);
  return installOnce(dir, 'oapi-codegen', (tmp) => {
    const r = spawnSync('go', ['install', `${GO_GENERATOR.module}@${GO_GENERATOR.version}`], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, GOBIN: tmp, GOFLAGS: '-mod=mod' },
    });
    if (r.status !== 0) return `go install ${GO_GENERATOR.module}@${GO_GENERATOR.version} failed (no access to the Go module proxy?): ${tail(r.stderr) || r.error?.message}`;
    return null;
  });
}

/** A fresh temporary directory, removed at the end of the test. */
export function tempDir(t: { teardown(fn: () => unknown): void }, prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `llm-provenance-${prefix}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The app (test-double detectors) listening on a free port: its base URL. */
export async function listening(t: { teardown(fn: () => unknown): void }): Promise<{ app: FastifyInstance; base: string }> {
  const app = await build(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { app, base: `http://127.0.0.1:${port}` };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the last line of stdout as JSON ({} when it is not) */
  json: Record<string, any>;
}

/** Runs a program without blocking the event loop (the server answers it meanwhile). */
export function runProgram(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 180_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: Record<string, any> = {};
      try {
        json = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
      } catch {
        json = {};
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

/** What every generated client's program reports, checked the same way for each language. */
export interface ClientReport {
  analyze: { status: number; label: string; segments: number };
  role: { status: number; label: string };
  involvement: { status: number; ratio: number };
  bad: { status: number; problem: boolean; path: string };
  batch: { status: number; items: { id?: string; label?: string; errorPath?: string }[] };
  rubrics: { status: number; count: number };
  detect: { status: number; k: number };
  models: string[];
  health: string;
  ready: string;
  metrics: { status: number; prometheus: boolean };
}

const LABEL = /^(human_author|llm_creator|llm_polisher|llm_extender)$/;

export function checkReport(t: Test, r: ClientReport): void {
  t.equal(r.analyze.status, 200, 'analyzeText');
  t.match(r.analyze.label, LABEL);
  t.ok(r.analyze.segments >= 1, 'segments parsed');
  t.equal(r.role.status, 200, 'detectRole');
  t.match(r.role.label, LABEL);
  t.equal(r.involvement.status, 200, 'measureInvolvement');
  t.ok(r.involvement.ratio >= 0 && r.involvement.ratio <= 1);
  t.same(r.bad, { status: 400, problem: true, path: '/text' }, 'a 400 is parsed as the Problem type');
  t.equal(r.batch.status, 200, 'analyzeTextBatch');
  t.equal(r.batch.items[0].id, 'good');
  t.match(r.batch.items[0].label, LABEL);
  t.same(r.batch.items[1], { id: 'empty', errorPath: '/items/1/text' }, 'the bad item carries its own error, a Problem');
  t.equal(r.rubrics.status, 200, 'listRubrics');
  t.ok(r.rubrics.count >= 1);
  t.same(r.detect, { status: 200, k: 1 }, 'detectJudgments');
  t.same(r.models, ['encoder', 'text-heads', 'judgments'], 'listModels');
  t.equal(r.health, 'ok', 'getHealth');
  t.equal(r.ready, 'ready', 'getReadiness');
  t.same(r.metrics, { status: 200, prometheus: true }, 'getMetrics');
}
