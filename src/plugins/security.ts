/**
 * Access control and abuse protection:
 * - security headers (helmet) everywhere; CORS only when CORS_ORIGIN is set;
 * - optional API keys for /v1 (x-api-key or Authorization: Bearer), compared in constant time;
 * - per-key (or per-address) rate limits for /v1 (@fastify/rate-limit).
 * Operations endpoints (/healthz, /readyz, /metrics, /docs, /openapi.json) stay open.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { HttpProblem } from './problem.js';

export async function registerHeaders(app: FastifyInstance, config: Config): Promise<void> {
  await app.register(helmet, {
    // the API answers JSON; the docs page and the web page load only their own scripts and styles
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        // the service often runs on plain http (loopback, behind a TLS proxy): never rewrite to https
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  if (config.corsOrigin !== null) {
    await app.register(cors, {
      origin: config.corsOrigin === '*' ? '*' : config.corsOrigin,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'x-api-key', 'authorization', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** The key a request presents, from x-api-key or Authorization: Bearer. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const x = request.headers['x-api-key'];
  if (typeof x === 'string' && x.length > 0) return x.trim();
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Constant-time key check: both sides are hashed to 32 bytes (so lengths never leak) and every
 * configured key is compared, whatever matched before. Returns the index of the key, or -1.
 */
export function matchKey(presented: string, keyDigests: Buffer[]): number {
  const d = digest(presented);
  let found = -1;
  for (let i = 0; i < keyDigests.length; i++) {
    if (timingSafeEqual(d, keyDigests[i]) && found === -1) found = i;
  }
  return found;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** index of the API key the request authenticated with (-1 when keys are off) */
    apiKeyIndex: number;
  }
}

/** Registers API-key checking and rate limits in the (encapsulated) /v1 scope. */
export async function registerAccess(scope: FastifyInstance, config: Config): Promise<void> {
  const keyDigests = config.apiKeys.map(digest);
  scope.decorateRequest('apiKeyIndex', -1);

  if (keyDigests.length > 0) {
    scope.addHook('onRequest', async (request, reply) => {
      const key = presentedKey(request);
      const idx = key === undefined ? -1 : matchKey(key, keyDigests);
      if (idx < 0) {
        reply.header('www-authenticate', 'Bearer realm="llm-provenance"');
        throw new HttpProblem(
          401,
          'unauthorized',
          'Unauthorized',
          key === undefined ? 'this service needs an API key: send it as x-api-key or Authorization: Bearer' : 'the API key is not valid',
        );
      }
      request.apiKeyIndex = idx;
    });
  }

  if (config.rateLimitMax > 0) {
    await scope.register(rateLimit, {
      global: true,
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      hook: 'onRequest',
      // per key when keys are on (the key itself never becomes a label: its index does), else per address
      keyGenerator: (request) => (request.apiKeyIndex >= 0 ? `key:${request.apiKeyIndex}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, ctx) =>
        Object.assign(new Error(`rate limit exceeded, retry in ${ctx.after}`), { statusCode: ctx.statusCode }),
    });
  }
}
