/**
 * build(config, opts): the whole HTTP application, without listening. Tests call it too.
 * Plugins (errors, request ids, metrics, security headers, docs) first, then the routes.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { Detectors, loadDetectors } from './detectors/index.js';
import { registerErrors } from './plugins/errors.js';
import { registerJsonBody } from './plugins/json-body.js';
import { registerMetrics } from './plugins/metrics.js';
import { genReqId, registerRequestId } from './plugins/request-id.js';
import { registerAccess, registerHeaders } from './plugins/security.js';
import { registerSwagger } from './plugins/swagger.js';
import { Admission } from './plugins/admission.js';
import { WorkGate } from './plugins/work.js';
import { SHARED_SCHEMAS, VALIDATION_OPTIONS, allowedValuesKeyword } from './schemas/common.js';
import type { RouteContext } from './routes/context.js';
import { opsRoutes } from './routes/ops.js';
import { judgmentRoutes } from './routes/v1/judgments.js';
import { modelRoutes } from './routes/v1/models.js';
import { textRoutes } from './routes/v1/text.js';
import { webPlugin } from './web/serve.js';

export interface BuildOptions {
  /** detectors already in hand (tests, tools): nothing is loaded from MODEL_DIR */
  detectors?: Detectors;
  /** a pino logger to use instead of one made from LOG_LEVEL */
  loggerInstance?: FastifyBaseLogger;
  /** false: no logging at all (tests) */
  logger?: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the model registry (filled in while models load) */
    detectors: Detectors;
    /** resolves when model loading has finished (at once when detectors were injected) */
    modelsLoaded: () => Promise<void>;
    /** admission control by cost (src/plugins/admission.ts) */
    admission: Admission;
  }
}

const WEB_DIR = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../web/' : '../web/', import.meta.url));

export async function build(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.loggerInstance
      ? { loggerInstance: opts.loggerInstance }
      : {
          logger:
            opts.logger === false
              ? false
              : {
                  level: config.logLevel,
                  // keys and bodies never reach the logs (bodies only with LOG_BODIES)
                  redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' },
                },
        }),
    genReqId,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy as boolean, // a number means that many proxy hops
    requestTimeout: Math.max(10_000, config.requestTimeoutMs + 5_000),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    ajv: { customOptions: { ...VALIDATION_OPTIONS }, plugins: [allowedValuesKeyword] },
  }) as unknown as FastifyInstance;

  let registry: Detectors;
  let loading: Promise<unknown> = Promise.resolve();
  if (opts.detectors) registry = opts.detectors;
  else if (config.loadModels) registry = new Detectors('loading');
  else registry = Detectors.of({ reasons: { encoder: 'model loading is off', 'text-heads': 'model loading is off', judgments: 'model loading is off' } });

  app.decorate('detectors', registry);
  app.decorate('modelsLoaded', () => loading.then(() => undefined));

  const admission = new Admission({ enabled: config.admission, maxTokens: config.admissionMaxTokens, deadlinePct: config.admissionDeadlinePct });
  app.decorate('admission', admission);
  // the likelihood model's own throughput, measured on every window it runs (0 until loaded: the prior)
  admission.useLikelihoodRate(() => registry.likelihood?.tokensPerSecond ?? 0);
  const work = new WorkGate(config.maxInFlight, config.requestTimeoutMs, admission);
  registerJsonBody(app, { maxDepth: config.jsonMaxDepth, bodyLimit: config.bodyLimitBytes });
  registerErrors(app);
  registerRequestId(app);
  const metrics = registerMetrics(app, () => registry, () => work.inFlight, admission);
  await registerHeaders(app, config);
  // the named schemas (components/schemas in the OpenAPI document) the routes refer to by $ref
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await registerSwagger(app);

  const ctx: RouteContext = { config, detectors: () => registry, work, metrics };
  await app.register(async (ops) => opsRoutes(ops, ctx));
  await app.register(async (v1) => {
    await registerAccess(v1, config);
    if (config.logBodies) {
      v1.addHook('preHandler', async (request) => {
        request.log.info({ body: request.body }, 'request body (LOG_BODIES is on)');
      });
    }
    await textRoutes(v1, ctx);
    await judgmentRoutes(v1, ctx);
    await modelRoutes(v1, ctx);
  });

  await app.register(webPlugin, { webRoot: WEB_DIR, modelCardPath: path.join(config.modelDir, 'MODEL_CARD.md') });

  if (!opts.detectors && config.loadModels) {
    app.addHook('onReady', async () => {
      // not awaited: the server listens at once and /readyz answers 503 until the models are warm
      loading = loadDetectors(config, app.log, registry).then((d) => {
        if (d.warmupTokensPerSecond) admission.calibrate(d.warmupTokensPerSecond);
      }, (err: unknown) => {
        app.log.error({ err }, 'model loading failed');
      });
    });
  }
  app.addHook('onClose', async () => {
    await loading;
    await registry.close();
  });

  return app;
}
