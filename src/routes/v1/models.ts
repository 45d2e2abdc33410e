/** GET /v1/models: what is loaded, versions, training data, metrics; and why anything is not. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses, V1_SECURITY } from '../../schemas/common.js';
import { ModelsResponse } from '../../schemas/ops.js';
import { SERVICE_NAME, SERVICE_VERSION } from '../../plugins/version.js';
import type { RouteContext } from '../context.js';

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

export async function modelRoutes(app: FastifyInstance, ctx: RouteContext): Promise<void> {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/v1/models',
    {
      schema: {
        tags: ['models'],
        security: V1_SECURITY,
        operationId: 'listModels',
        summary: 'Loaded models, their versions, training data and metrics',
        response: { 200: ModelsResponse, ...problemResponses(401, 429) },
      },
    },
    async () => {
      const d = ctx.detectors();
      const models = d.all().map((s) => {
        const m: Record<string, unknown> = { ...s };
        if (s.state !== 'ready') return m;
        if (s.name === 'encoder' && d.embedder) {
          const info = d.embedder.info;
          Object.assign(m, { id: info.id, version: info.version, details: { ...info } });
        } else if (s.name === 'text-heads' && d.text) {
          Object.assign(m, { id: d.text.model.id, version: d.text.model.version, details: safe(() => d.text!.describe()) });
        } else if (s.name === 'likelihood' && d.likelihood) {
          Object.assign(m, { ...d.likelihood.model, details: safe(() => d.likelihood!.describe()) });
        } else if (s.name === 'judgments' && d.judgment) {
          const rubrics = safe(() => d.judgment!.rubrics()) ?? [];
          Object.assign(m, { details: { rubrics: rubrics.map((r) => ({ id: r.id, model: r.model, metrics: r.metrics })) } });
        }
        return m;
      });
      return { service: { name: SERVICE_NAME, version: SERVICE_VERSION }, ready: d.ready, models: models as never };
    },
  );
}
