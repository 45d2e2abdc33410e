/** POST /v1/text/analyze, /role, /involvement, /analyze/batch. HTTP only: validate, call the detector, shape. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError, textCost, type TextAnalysis, type TextDetector, type TextTask } from '../../detectors/types.js';
import type { NormalizedText } from '../../detectors/normalize.js';
import { errorToProblem } from '../../plugins/errors.js';
import { problemResponses, V1_PROBLEMS, V1_SECURITY } from '../../schemas/common.js';
import {
  BatchResponse,
  InvolvementResponse,
  RoleResponse,
  TextAnalysis as TextAnalysisSchema,
  batchRequest,
  textRequest,
  type TextAnalysisT,
} from '../../schemas/text.js';
import { isRequestWideError } from '../../plugins/work.js';
import type { RouteContext } from '../context.js';
import { prepareText } from './prepare.js';

interface Options {
  tasks: TextTask[];
  segments: boolean;
  explain: boolean;
  maxFalsePositiveRate?: number;
}

/** Shapes a detector answer: only what was asked, segments in the caller's offsets, all warnings. */
export function shapeAnalysis(a: TextAnalysis, n: NormalizedText, opts: Options): TextAnalysisT {
  const out: TextAnalysisT = { model: a.model, warnings: [...n.warnings, ...(a.warnings ?? [])], usage: a.usage };
  if (opts.tasks.includes('role')) {
    out.role = a.role;
    out.ai_probability = a.ai_probability;
    if (a.decision) out.decision = a.decision;
  }
  if (opts.tasks.includes('involvement')) out.involvement = a.involvement;
  if (opts.segments && a.segments) {
    out.segments = a.segments.map((s) => ({ start: n.toOriginal(s.start), end: n.toOriginal(s.end), ai_probability: s.ai_probability }));
  }
  if (opts.explain && a.explanation) out.explanation = a.explanation;
  return out;
}

function missingPart(a: TextAnalysis, tasks: TextTask[]): string | null {
  if (tasks.includes('role') && (!a.role || typeof a.ai_probability !== 'number')) return 'role';
  if (tasks.includes('involvement') && !a.involvement) return 'involvement';
  return null;
}

export async function textRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const limits = { maxTextChars: ctx.config.maxTextChars, maxBatchItems: ctx.config.maxBatchItems };
  const body = textRequest(limits);

  async function analyzeOne(
    request: FastifyRequest,
    reply: FastifyReply,
    b: { text: string; tasks?: TextTask[]; segments?: boolean; explain?: boolean; max_false_positive_rate?: number },
    tasks: TextTask[],
  ): Promise<TextAnalysisT> {
    let detector: TextDetector;
    try {
      detector = ctx.detectors().requireText();
    } catch (err) {
      prepareText(b.text, '/text', ctx.config.maxTextChars); // a bad text is a 400 even while the model is missing
      throw err;
    }
    const opts = { tasks, segments: b.segments ?? false, explain: b.explain ?? false, maxFalsePositiveRate: b.max_false_positive_rate };
    // admission first, by the cost of the raw text (normalising only removes characters): a refusal at the
    // door must not pay for normalisation, which takes milliseconds on a long text
    const cost = textCost(detector, { text: b.text, segments: opts.segments });
    let n!: NormalizedText;
    const a = await ctx.work.run(
      request,
      reply,
      (signal) => {
        n = prepareText(b.text, '/text', ctx.config.maxTextChars);
        return detector.analyze({ text: n.text, ...opts, signal });
      },
      cost,
    );
    const missing = missingPart(a, tasks);
    if (missing) throw new Error(`text detector returned no ${missing} answer`);
    return shapeAnalysis(a, n, opts);
  }

  r.post(
    '/v1/text/analyze',
    {
      schema: {
        tags: ['text'],
        security: V1_SECURITY,
        summary: 'Role and involvement of an LLM in a text',
        body,
        response: { 200: TextAnalysisSchema, ...problemResponses(...V1_PROBLEMS) },
      },
      onRequest: ctx.work.atTheDoor,
    },
    async (request, reply) => analyzeOne(request, reply, request.body, request.body.tasks ?? ['role', 'involvement']),
  );

  r.post(
    '/v1/text/role',
    {
      schema: {
        tags: ['text'],
        security: V1_SECURITY,
        summary: 'Which role an LLM played: human_author, llm_creator, llm_polisher or llm_extender',
        description: 'Takes the same body as /v1/text/analyze; `tasks` is ignored.',
        body,
        response: { 200: RoleResponse, ...problemResponses(...V1_PROBLEMS) },
      },
      onRequest: ctx.work.atTheDoor,
    },
    async (request, reply) => {
      const a = await analyzeOne(request, reply, request.body, ['role']);
      return { ...a, role: a.role!, ai_probability: a.ai_probability! };
    },
  );

  r.post(
    '/v1/text/involvement',
    {
      schema: {
        tags: ['text'],
        security: V1_SECURITY,
        summary: 'How much of the text an LLM wrote, with a calibrated interval',
        description: 'Takes the same body as /v1/text/analyze; `tasks` is ignored.',
        body,
        response: { 200: InvolvementResponse, ...problemResponses(...V1_PROBLEMS) },
      },
      onRequest: ctx.work.atTheDoor,
    },
    async (request, reply) => {
      const a = await analyzeOne(request, reply, request.body, ['involvement']);
      return { ...a, involvement: a.involvement! };
    },
  );

  r.post(
    '/v1/text/analyze/batch',
    {
      schema: {
        tags: ['text'],
        security: V1_SECURITY,
        summary: 'Analyse many texts; results in the same order, one bad item does not fail the others',
        body: batchRequest(limits),
        response: { 200: BatchResponse, ...problemResponses(...V1_PROBLEMS) },
      },
      onRequest: ctx.work.atTheDoor,
    },
    async (request, reply) => {
      const b = request.body;
      const tasks = b.tasks ?? ['role', 'involvement'];
      const opts = { tasks, segments: b.segments ?? false, explain: b.explain ?? false, maxFalsePositiveRate: b.max_false_positive_rate };
      // per-item checks first: a bad item gets its own problem object
      const prepared = b.items.map((item, i) => {
        try {
          return { ok: true as const, n: prepareText(item.text, `/items/${i}/text`, ctx.config.maxTextChars) };
        } catch (err) {
          return { ok: false as const, err };
        }
      });
      const detector: TextDetector | null = prepared.some((p) => p.ok) ? ctx.detectors().requireText() : null;
      // the whole batch is admitted (or refused) as one unit, by the cost of all its valid items
      const cost = detector ? prepared.reduce((sum, p) => sum + (p.ok ? textCost(detector, { text: p.n.text, segments: opts.segments }) : 0), 0) : 0;
      const answers = await ctx.work.run(
        request,
        reply,
        (signal) =>
          Promise.allSettled(prepared.map((p) => (p.ok && detector ? detector.analyze({ text: p.n.text, ...opts, signal }) : Promise.reject(p.ok ? null : p.err)))),
        cost,
      );
      const results = b.items.map((item, i) => {
        const p = prepared[i];
        const a = answers[i];
        if (a.status === 'fulfilled' && p.ok) {
          const missing = missingPart(a.value, tasks);
          if (!missing) return { id: item.id, ...shapeAnalysis(a.value, p.n, opts) };
          request.log.error({ item: i, missing }, 'text detector returned an incomplete answer');
          return { id: item.id, error: errorToProblem(new Error('incomplete answer'), request.id).body };
        }
        const err = a.status === 'rejected' ? a.reason : null;
        // these concern the whole request, not the item
        if (isRequestWideError(err) || request.raw.destroyed) throw err;
        let itemErr = err;
        if (err instanceof InputError && !err.path.startsWith('/items/')) itemErr = new InputError(err.message, `/items/${i}/text`);
        const problem = errorToProblem(itemErr, request.id);
        if (problem.unexpected) request.log.error({ err, item: i }, 'unexpected error for one batch item');
        return { id: item.id, error: problem.body };
      });
      return { results };
    },
  );
}
