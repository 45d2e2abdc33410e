/**
 * The static page at `/` (web/ at the repository root) and the model card at `/model-card`.
 * Plain HTML/CSS/JS, no external resources, so the page works offline and under helmet's default CSP
 * (script-src 'self': no inline scripts or handlers anywhere in web/).
 *
 * Registered by src/app.ts (in place of a bare @fastify/static registration for web/):
 *   await app.register(webPlugin, { modelCardPath: path.join(config.modelDir, 'MODEL_CARD.md') });
 * or equivalently `await registerWeb(app, { modelCardPath })`. When web/ is absent (a slimmed image)
 * only /model-card is served; when something else already serves `/`, the static part is skipped.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problem } from '../plugins/problem.js';

export interface WebOptions {
  /** models/MODEL_CARD.md; `/model-card` answers 404 problem+json while it does not exist */
  modelCardPath: string;
  /** folder holding index.html; defaults to web/ at the repository root (from src/ or dist/src/) */
  webRoot?: string;
}

/** web/ from src/web/serve.ts (tsx) or dist/src/web/serve.js (built). */
export function defaultWebRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../web'), path.resolve(here, '../../../web'), path.resolve('web')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0];
}

async function registerStatic(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    // reply.sendFile stays undecorated: swagger-ui or the app may register @fastify/static too
    decorateReply: false,
    index: ['index.html'],
    cacheControl: true,
    maxAge: 0,
    etag: true,
    lastModified: true,
    // the page is not part of the API contract: kept out of the OpenAPI document
    schemaHide: true,
  });
}

export const webPlugin: FastifyPluginAsync<WebOptions> = async (app, opts) => {
  const root = opts.webRoot ?? defaultWebRoot();
  if (!existsSync(path.join(root, 'index.html'))) {
    app.log.warn({ root }, 'web page assets not found: the page at / is not served');
  } else if (app.hasRoute({ method: 'GET', url: '/' })) {
    app.log.warn('GET / is already served elsewhere: the web plugin serves /model-card only');
  } else {
    // Only the files that exist in web/ get routes (wildcard: false), so every other path still
    // reaches the application's own 404 handler and answers problem+json.
    await registerStatic(app, root);
  }

  app.get('/model-card', { schema: { hide: true } }, async (request, reply) => {
    let text: string;
    try {
      text = await readFile(opts.modelCardPath, 'utf8');
    } catch {
      return reply
        .code(404)
        .type(PROBLEM_CONTENT_TYPE)
        .send(problem(404, 'model-card-not-found', 'Not Found', `the model card ${path.basename(opts.modelCardPath)} has not been written yet (npm run eval writes it)`, request.id));
    }
    return reply
      .header('cache-control', 'no-cache')
      .header('content-disposition', 'inline; filename="MODEL_CARD.md"')
      .type('text/markdown; charset=utf-8')
      .send(text);
  });
};

/** Same as `app.register(webPlugin, opts)`; works for any Fastify instance (type providers included). */
export async function registerWeb(
  app: { register: (plugin: FastifyPluginAsync<WebOptions>, opts: WebOptions) => PromiseLike<unknown> },
  opts: WebOptions,
): Promise<void> {
  await app.register(webPlugin, opts);
}
