/** POST /v1/text/analyze, /role, /involvement, /analyze/batch. HTTP only: validate, call the detector, shape. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InputError, textCost, type TextAnalysis, type TextDetector, type TextTask } from '../../detectors/types.js';
import type { NormalizedText } from '../../detectors/normalize.js';
import type { LikelihoodAnswer, LikelihoodDetector } from '../../detectors/likelihood.js';
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
import { batchValidators } from './batch-items.js';
import { prepareText } from './prepare.js';

interface Options {
  tasks: TextTask[];
  segments: boolean;
  explain: boolean;
  maxFalsePositiveRate?: number;
}

type Analysis = TextAnalysis & { likelihood?: LikelihoodAnswer };

/** The detector's answer and, when asked, the likelihood detector's (combined with the heads' ai_probability), in one unit of work. */
async function analyzeWith(detector: TextDetector, lm: LikelihoodDetector | null, text: string, opts: Options, signal: AbortSignal): Promise<Analysis> {
  if (!lm) return detector.analyze({ text, ...opts, signal });
  // the likelihood model reads while the text heads answer; the combination needs the heads' ai_probability
  const [a, stats] = await Promise.all([detector.analyze({ text, ...opts, signal }), lm.lm.score(text, signal)]);
  const heads = typeof a.ai_probability === 'number' ? { aiProbability: a.ai_probability, version: a.model.version } : undefined;
  const { answer, warnings } = lm.answer(stats, heads);
  return { ...a, likelihood: answer, warnings: [...(a.warnings ?? []), ...warnings] };
}

/** Shapes a detector answer: only what was asked, segments in the caller's offsets, all warnings. */
export function shapeAnalysis(a: Analysis, n: NormalizedText, opts: Options): TextAnalysisT {
  const out: TextAnalysisT = { model: a.model, warnings: [...n.warnings, ...(a.warnings ?? [])], usage: a.usage };
  if (a.likelihood) out.likelihood = a.likelihood;
  if (a.language) out.language = a.language;
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
    b: { text: string; tasks?: TextTask[]; segments?: boolean; explain?: boolean; max_false_positive_rate?: number; likelihood?: boolean },
    tasks: TextTask[],
  ): Promise<TextAnalysisT> {
    let detector: TextDetector;
    try {
      detector = ctx.detectors().requireText();
    } catch (err) {
      prepareText(b.text, '/text', ctx.config.maxTextChars); // a bad text is a 400 even while the model is missing
      throw err;
    }
    const lm = b.likelihood ? ctx.detectors().requireLikelihood() : null;
    const opts = { tasks, segments: b.segments ?? false, explain: b.explain ?? false, maxFalsePositiveRate: b.max_false_positive_rate };
    // admission first, by the cost of the raw text (normalising only removes characters): a refusal at the
    // door must not pay for normalisation, which takes milliseconds on a long text
    const cost = textCost(detector, { text: b.text, segments: opts.segments });
    const lmCost = lm ? lm.cost(b.text) : 0;
    let n!: NormalizedText;
    const a = await ctx.work.run(
      request,
      reply,
      (signal) => {
        n = prepareText(b.text, '/text', ctx.config.maxTextChars);
        return analyzeWith(detector, lm, n.text, opts, signal);
      },
      cost,
      lmCost,
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
        operationId: 'analyzeText',
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
        operationId: 'detectRole',
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
        operationId: 'measureInvolvement',
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

  const batch = batchValidators(limits);
  r.post(
    '/v1/text/analyze/batch',
    {
      schema: {
        tags: ['text'],
        security: V1_SECURITY,
        operationId: 'analyzeTextBatch',
        summary: 'Analyse many texts; results in the same order, one bad item does not fail the others',
        description:
          'Only a malformed envelope (no `items`, too many items, `items` not an array, a bad option) fails the whole request with 400. Each item is checked on its own: an item that breaks the item schema, repeats an earlier `id`, or whose text is empty, too long or not valid Unicode gets an `error` problem object in its result (paths relative to the request, e.g. `/items/1/text`), and every other item is answered.',
        body: batchRequest(limits),
        response: { 200: BatchResponse, ...problemResponses(...V1_PROBLEMS) },
      },
      // the documented body (above) drives OpenAPI; validation takes only the envelope, items are checked one by one
      validatorCompiler: ({ httpPart }) => (httpPart === 'body' ? batch.envelope : () => true),
      onRequest: ctx.work.atTheDoor,
    },
    async (request, reply) => {
      const b = request.body;
      const tasks = b.tasks ?? ['role', 'involvement'];
      const opts = { tasks, segments: b.segments ?? false, explain: b.explain ?? false, maxFalsePositiveRate: b.max_false_positive_rate };
      const checked = batch.checkItems(b.items as unknown[]);
      const detector: TextDetector | null = checked.some((c) => c.ok) ? ctx.detectors().requireText() : null;
      const lm = b.likelihood && detector ? ctx.detectors().requireLikelihood() : null;
      // the whole batch is admitted (or refused) as one unit, by the cost of all its valid items
      const cost = detector ? checked.reduce((sum, c) => sum + (c.ok ? textCost(detector, { text: c.n.text, segments: opts.segments }) : 0), 0) : 0;
      const lmCost = lm ? checked.reduce((sum, c) => sum + (c.ok ? lm.cost(c.n.text) : 0), 0) : 0;
      const answers = await ctx.work.run(
        request,
        reply,
        (signal) => Promise.allSettled(checked.map((c) => (c.ok && detector ? analyzeWith(detector, lm, c.n.text, opts, signal) : Promise.reject(c.ok ? null : c.err)))),
        cost,
        lmCost,
      );
      const results = checked.map((c, i) => {
        const a = answers[i];
        const id = c.id === undefined ? {} : { id: c.id };
        if (a.status === 'fulfilled' && c.ok) {
          const missing = missingPart(a.value, tasks);
          if (!missing) return { ...id, ...shapeAnalysis(a.value, c.n, opts) };
          request.log.error({ item: i, missing }, 'text detector returned an incomplete answer');
          return { ...id, error: errorToProblem(new Error('incomplete answer'), request.id).body };
        }
        const err = a.status === 'rejected' ? a.reason : null;
        // these concern the whole request, not the item (a client that went away is one: ClientClosedError)
        if (isRequestWideError(err)) throw err;
        let itemErr = err;
        if (err instanceof InputError && !err.path.startsWith('/items/')) itemErr = new InputError(err.message, `/items/${i}/text`);
        const problem = errorToProblem(itemErr, request.id);
        if (problem.unexpected) request.log.error({ err, item: i }, 'unexpected error for one batch item');
        return { ...id, error: problem.body };
      });
      return { results };
    },
  );
}
