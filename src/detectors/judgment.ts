/**
 * Judgment detector: was this set of judgments given by an LLM judge?
 *
 * Loads models/judgments/config.json and one folder per rubric (rubric.json, head.json, metrics.json,
 * bias.json), checking the sha256 of every file listed. Per judgment: validate the scores against the
 * rubric -> judgment features (src/features/judgment.ts, the code training used) -> logistic head ->
 * calibrated log-odds. The group (all judgments of a request, taken to come from one judge) is the sum of
 * the calibrated log-odds. Knows nothing of HTTP.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  JUDGMENT_FEATURE_VERSION,
  TEXT_FEATURE_VERSION,
  candidateFeatures,
  judgmentFeatureNames,
  judgmentFeatures,
  type RubricSchema,
} from '../features/judgment.js';
import { LogisticModel, sigmoid, type Contribution as HeadContribution } from '../heads/logistic.js';
import {
  DeadlineError,
  InputError,
  ModelUnavailableError,
  type Contribution,
  type JudgmentDetection,
  type JudgmentDetector,
  type JudgmentRequest,
  type ModelRef,
  type RubricDescription,
  type TextDetector,
} from './types.js';

/** how many contributions `explain` returns */
export const EXPLANATION_SIZE = 10;

interface JudgmentConfig {
  format: number;
  version: string;
  feature_version: string;
  text_feature_version: string;
  rubrics: Record<string, { files: Record<string, string> }>;
}

interface LoadedRubric {
  schema: RubricSchema;
  head: LogisticModel;
  description: RubricDescription;
  /** set when the rubric cannot answer in this build (e.g. trained with other text features) */
  unavailable?: string;
}

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function fail(reason: string): never {
  throw new ModelUnavailableError('judgments', reason);
}

async function readChecked(file: string, sha: string | undefined): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch {
    fail(`missing file ${file}`);
  }
  if (sha !== undefined) {
    const got = createHash('sha256').update(buf).digest('hex');
    if (got !== sha) fail(`sha256 mismatch for ${file} (expected ${sha.slice(0, 12)}..., got ${got.slice(0, 12)}...)`);
  }
  return buf;
}

function parseJson<T>(buf: Buffer, file: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (e) {
    fail(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function loadJudgmentDetector(opts: { modelDir: string; text?: TextDetector }): Promise<JudgmentDetector> {
  const dir = path.join(opts.modelDir, 'judgments');
  const cfgFile = path.join(dir, 'config.json');
  const config = parseJson<JudgmentConfig>(await readChecked(cfgFile, undefined), cfgFile);
  if (config.format !== 1 || !config.rubrics || typeof config.rubrics !== 'object') fail(`${cfgFile}: unsupported format`);
  if (config.feature_version !== JUDGMENT_FEATURE_VERSION) {
    fail(`judgment heads were trained with ${config.feature_version}, this build computes ${JUDGMENT_FEATURE_VERSION}; retrain (npm run train)`);
  }
  const rubrics = new Map<string, LoadedRubric>();
  for (const [id, entry] of Object.entries(config.rubrics)) {
    const files = entry.files ?? {};
    for (const required of ['rubric.json', 'head.json']) if (!files[required]) fail(`${cfgFile}: rubric ${id} lists no ${required}`);
    const sub = path.join(dir, id);
    const rf = path.join(sub, 'rubric.json');
    const schema = parseJson<RubricSchema & { model?: ModelRef }>(await readChecked(rf, files['rubric.json']), rf);
    const hf = path.join(sub, 'head.json');
    let head: LogisticModel;
    try {
      head = LogisticModel.fromJSON(parseJson(await readChecked(hf, files['head.json']), hf));
    } catch (e) {
      if (e instanceof ModelUnavailableError) throw e;
      fail(`${hf}: ${(e as Error).message}`);
    }
    const metrics = files['metrics.json'] ? parseJson<Record<string, unknown>>(await readChecked(path.join(sub, 'metrics.json'), files['metrics.json']), 'metrics.json') : {};
    const bias = files['bias.json']
      ? parseJson<{ dimensions?: Record<string, unknown>[]; top_weights?: unknown }>(await readChecked(path.join(sub, 'bias.json'), files['bias.json']), 'bias.json')
      : {};
    if (schema.id !== id) fail(`${rf}: id ${schema.id} does not match folder ${id}`);
    if (!Array.isArray(schema.dimensions) || schema.dimensions.length === 0) fail(`${rf}: no dimensions`);
    let unavailable: string | undefined;
    if (schema.features.candidate && schema.text_feature_version !== TEXT_FEATURE_VERSION) {
      unavailable = `rubric ${id} was trained with ${schema.text_feature_version}, this build computes ${TEXT_FEATURE_VERSION}; retrain (npm run train)`;
    } else {
      const names = judgmentFeatureNames(schema);
      if (names.length !== head.features.length || names.some((n, i) => n !== head.features[i])) fail(`${hf}: the head's features do not match rubric ${id}'s feature schema`);
    }
    if (head.classes[1] !== 'llm') fail(`${hf}: expected classes [human, llm]`);
    const m = (metrics ?? {}) as Record<string, unknown>;
    const description: RubricDescription = {
      id,
      description: schema.description,
      dimensions: schema.dimensions.map((d) => ({ name: d.name, min: d.min, max: d.max, ...(d.integer ? { integer: true } : {}) })),
      candidate_fields: [...schema.candidate_fields],
      scores_only: schema.scores_only,
      metrics: {
        ...(m.k1 ? { k1: m.k1 } : {}),
        ...(m.groups ? { groups: m.groups } : {}),
        ...(m.scores_only ? { scores_only: m.scores_only } : {}),
        ...(m.split ? { split: m.split } : {}),
        ...(m.test ? { test: m.test } : {}),
      },
      bias: [...(bias.dimensions ?? []), ...(bias.top_weights ? [{ top_weights: bias.top_weights }] : [])],
      model: schema.model ?? { id: `llm-provenance-judgment-${id}`, version: config.version },
    };
    rubrics.set(id, { schema, head, description, unavailable });
  }
  if (rubrics.size === 0) fail(`no rubric listed in ${cfgFile}`);
  return new RubricJudgmentDetector(rubrics);
}

class RubricJudgmentDetector implements JudgmentDetector {
  constructor(private readonly byId: Map<string, LoadedRubric>) {}

  rubrics(): RubricDescription[] {
    return [...this.byId.values()].filter((r) => !r.unavailable).map((r) => r.description);
  }

  async detect(req: JudgmentRequest): Promise<JudgmentDetection> {
    const r = this.byId.get(req.rubric);
    if (!r) throw new InputError(`unknown rubric ${JSON.stringify(String(req.rubric).slice(0, 64))}; known rubrics: ${[...this.byId.keys()].join(', ')}`, '/rubric');
    if (r.unavailable) throw new ModelUnavailableError('judgments', r.unavailable);
    if (!Array.isArray(req.judgments) || req.judgments.length === 0) throw new InputError('at least one judgment is required', '/judgments');
    const { schema, head } = r;
    const warnings = new Set<string>();
    const dims = new Map(schema.dimensions.map((d) => [d.name, d]));
    const vectors: Float64Array[] = [];
    req.judgments.forEach((j, i) => {
      const base = `/judgments/${i}`;
      const scores = j?.scores;
      if (!scores || typeof scores !== 'object') throw new InputError('scores are required', `${base}/scores`);
      for (const [name, value] of Object.entries(scores)) {
        const p = `${base}/scores/${escapePointer(name)}`;
        const d = dims.get(name);
        if (!d) throw new InputError(`is not a dimension of rubric ${schema.id} (dimensions: ${[...dims.keys()].join(', ')})`, p);
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new InputError('must be a finite number', p);
        if (value < d.min || value > d.max) throw new InputError(`must be between ${d.min} and ${d.max}`, p);
        if (d.integer && !Number.isInteger(value)) throw new InputError('must be a whole number', p);
      }
      for (const d of schema.dimensions) {
        if (!(d.name in scores)) throw new InputError(`is missing: rubric ${schema.id} needs every dimension (${[...dims.keys()].join(', ')})`, `${base}/scores/${escapePointer(d.name)}`);
      }
      let cand: Float64Array | undefined;
      if (schema.scores_only || !schema.candidate) {
        if (j.candidate && Object.keys(j.candidate).length > 0) {
          warnings.add(`rubric ${schema.id} is scores-only (its training data has no candidate text): the candidate was ignored`);
        }
      } else {
        if (!j.candidate || typeof j.candidate !== 'object') {
          throw new InputError(`is required by rubric ${schema.id} (fields: ${schema.candidate_fields.join(', ')})`, `${base}/candidate`);
        }
        for (const f of schema.candidate_fields) {
          if (typeof j.candidate[f] !== 'string') throw new InputError(`is required by rubric ${schema.id}`, `${base}/candidate/${escapePointer(f)}`);
        }
        const extra = Object.keys(j.candidate).filter((f) => !schema.candidate_fields.includes(f));
        if (extra.length) warnings.add(`rubric ${schema.id} reads candidate fields ${schema.candidate_fields.join(', ')}; ignored: ${extra.join(', ')}`);
        cand = candidateFeatures(schema, j.candidate);
      }
      if (req.signal?.aborted) throw new DeadlineError();
      vectors.push(judgmentFeatures(schema, scores, cand));
    });
    const logOdds = vectors.map((x) => head.logOdds(x));
    const judgments = logOdds.map((lo) => {
      const p = sigmoid(lo);
      return { llm_probability: p, label: (lo > 0 ? 'llm' : 'human') as 'llm' | 'human' };
    });
    const sum = logOdds.reduce((a, b) => a + b, 0);
    const out: JudgmentDetection = {
      model: r.description.model,
      rubric: schema.id,
      judgments,
      group: { k: judgments.length, llm_probability: sigmoid(sum), label: sum > 0 ? 'llm' : 'human' },
      warnings: [...warnings],
    };
    if (req.explain) out.explanation = explain(head, vectors);
    return out;
  }
}

/**
 * Top contributions to the group's log-odds of "llm": per feature, the sum over the judgments of
 * (calibrated weight x standardised value), i.e. relative to an average training judgment; `value` is the
 * feature's value (its mean over the judgments when k > 1). Sorted by absolute contribution.
 */
export function explain(head: LogisticModel, vectors: Float64Array[], n = EXPLANATION_SIZE): Contribution[] {
  const acc = new Map<string, { value: number; contribution: number; order: number }>();
  for (const x of vectors) {
    const { contributions } = head.contributions(x, 1);
    contributions.forEach((c: HeadContribution, j) => {
      const a = acc.get(c.feature) ?? { value: 0, contribution: 0, order: j };
      a.value += c.value / vectors.length;
      a.contribution += c.contribution;
      acc.set(c.feature, a);
    });
  }
  return [...acc.entries()]
    .filter(([, a]) => a.contribution !== 0)
    .sort((a, b) => Math.abs(b[1].contribution) - Math.abs(a[1].contribution) || a[1].order - b[1].order)
    .slice(0, n)
    .map(([feature, a]) => ({ feature, value: a.value, contribution: a.contribution }));
}
