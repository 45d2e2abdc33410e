/** POST /v1/judgments/detect, GET /v1/judgments/rubrics. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { InputError, type Judgment, type RubricDescription } from '../../detectors/types.js';
import { joinPointer } from '../../plugins/problem.js';
import { problemResponses, V1_PROBLEMS, V1_SECURITY } from '../../schemas/common.js';
import { DetectResponse, RubricsResponse, detectRequest, type DetectRequestT } from '../../schemas/judgments.js';
import type { RouteContext } from '../context.js';
import { prepareText } from './prepare.js';

/** Checks scores against the rubric: unknown rubric or dimension, out of range, not an integer. */
export function checkJudgments(body: DetectRequestT, rubrics: RubricDescription[], maxChars: number): { judgments: Judgment[]; warnings: string[] } {
  const rubric = rubrics.find((r) => r.id === body.rubric);
  if (!rubric) {
    throw new InputError(`unknown rubric ${JSON.stringify(body.rubric.slice(0, 64))}; known rubrics: ${rubrics.map((r) => r.id).join(', ')}`, '/rubric');
  }
  const dims = new Map(rubric.dimensions.map((d) => [d.name, d]));
  const warnings = new Set<string>();
  const judgments = body.judgments.map((j, i) => {
    const base = `/judgments/${i}`;
    for (const [name, value] of Object.entries(j.scores)) {
      const path = joinPointer(`${base}/scores`, name);
      const d = dims.get(name);
      if (!d) throw new InputError(`is not a dimension of rubric ${rubric.id} (dimensions: ${[...dims.keys()].join(', ')})`, path);
      if (!Number.isFinite(value) || value < d.min || value > d.max) throw new InputError(`must be between ${d.min} and ${d.max}`, path);
      if (d.integer && !Number.isInteger(value)) throw new InputError('must be a whole number', path);
    }
    let candidate: Record<string, string> | undefined;
    if (j.candidate) {
      candidate = {};
      for (const [field, text] of Object.entries(j.candidate)) {
        const n = prepareText(text, joinPointer(`${base}/candidate`, field), maxChars);
        n.warnings.forEach((w) => warnings.add(`${base}/candidate/${field}: ${w}`));
        candidate[field] = n.text;
      }
    }
    return { scores: { ...j.scores }, ...(candidate ? { candidate } : {}) };
  });
  return { judgments, warnings: [...warnings] };
}

export async function judgmentRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/v1/judgments/detect',
    {
      schema: {
        tags: ['judgments'],
        security: V1_SECURITY,
        operationId: 'detectJudgments',
        summary: 'Was this set of judgments given by an LLM judge?',
        description: 'All judgments in one request are taken to come from one judge; `group` combines them.',
        body: detectRequest({ maxTextChars: ctx.config.maxTextChars, maxJudgments: ctx.config.maxJudgments }),
        response: { 200: DetectResponse, ...problemResponses(...V1_PROBLEMS) },
      },
    },
    async (request, reply) => {
      const detector = ctx.detectors().requireJudgment();
      const { judgments, warnings } = checkJudgments(request.body, detector.rubrics(), ctx.config.maxTextChars);
      const explain = request.body.explain ?? false;
      const d = await ctx.work.run(request, reply, (signal) => detector.detect({ rubric: request.body.rubric, judgments, explain, signal }));
      return { ...d, explanation: explain ? d.explanation : undefined, warnings: [...warnings, ...(d.warnings ?? [])] };
    },
  );

  r.get(
    '/v1/judgments/rubrics',
    {
      schema: {
        tags: ['judgments'],
        security: V1_SECURITY,
        operationId: 'listRubrics',
        summary: 'The rubrics a judgment can be checked against, with their dimensions and measured metrics',
        response: { 200: RubricsResponse, ...problemResponses(401, 429, 503) },
      },
    },
    async () => ({ rubrics: ctx.detectors().requireJudgment().rubrics() }),
  );
}
