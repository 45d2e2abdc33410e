/**
 * build() helper for tests: the real app (every plugin, every route) with a test configuration and,
 * when asked, the TEST DOUBLE detectors of ./doubles.ts instead of trained models.
 */
import type { FastifyInstance } from 'fastify';
import { build as buildApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Detectors } from '../../src/detectors/index.js';
import { TestDoubleJudgmentDetector, TestDoubleTextDetector, type DoubleOptions } from './doubles.js';

export interface TestBuildOptions {
  /** environment variables, as the service would read them */
  env?: Record<string, string>;
  /** 'doubles' (default): test-double detectors; 'none': no models (503 paths); or a registry */
  detectors?: 'doubles' | 'none' | Detectors;
  doubles?: DoubleOptions;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return { ...loadConfig(env), loadModels: false };
}

export function doubleDetectors(opts: DoubleOptions = {}): Detectors {
  return Detectors.of({ text: new TestDoubleTextDetector(opts), judgment: new TestDoubleJudgmentDetector(opts) });
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function build(t: Teardown, opts: TestBuildOptions = {}): Promise<FastifyInstance> {
  const config = testConfig(opts.env);
  const d = opts.detectors ?? 'doubles';
  const detectors =
    d === 'doubles'
      ? doubleDetectors(opts.doubles)
      : d === 'none'
        ? Detectors.of({ reasons: { encoder: 'not loaded in this test', 'text-heads': 'not loaded in this test', judgments: 'not loaded in this test' } })
        : d;
  const app = await buildApp(config, { detectors, logger: false });
  t.teardown(() => app.close());
  await app.ready();
  return app;
}

/** POSTs a JSON body (a string is sent as is). */
export function post(app: FastifyInstance, url: string, body: unknown, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const LONG_TEXT =
  'The committee reviewed the proposal on Tuesday. It asked the authors to clarify how the data were collected. ' +
  'They also wanted to know who labelled the documents and whether the results hold after the cut-off date. ' +
  'The authors answered in a short note that nobody found fully convincing, and the decision was postponed.';
