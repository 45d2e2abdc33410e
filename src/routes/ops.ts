/** GET /healthz, /readyz, /metrics: open even when API keys are on. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { sendProblem } from '../plugins/errors.js';
import { problem } from '../plugins/problem.js';
import { HealthResponse, NotReady, ReadyResponse } from '../schemas/ops.js';
import type { RouteContext } from './context.js';

export async function opsRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/healthz',
    { schema: { tags: ['operations'], operationId: 'getHealth', summary: 'The process is alive', response: { 200: HealthResponse } }, logLevel: 'warn' },
    async () => ({ status: 'ok' as const }),
  );

  r.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getReadiness',
        summary: 'Every model is loaded and warmed up (200), else 503 with the reason per model',
        response: { 200: ReadyResponse, 503: NotReady },
      },
      logLevel: 'warn',
    },
    async (request, reply) => {
      const d = ctx.detectors();
      const models = d.all();
      if (d.ready) return { status: 'ready' as const, models };
      const notReady = models.filter((m) => m.state !== 'ready');
      const detail = notReady.map((m) => `${m.name} ${m.state}${m.reason ? `: ${m.reason}` : ''}`).join('; ');
      return sendProblem(reply, {
        status: 503,
        body: problem(503, 'not-ready', 'Not ready', detail, request.id, undefined, { models }),
        headers: { 'retry-after': '5' },
        unexpected: false,
      });
    },
  );

  r.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format' }) },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const text = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).serializer((x: unknown) => String(x)).send(text);
    },
  );
}
