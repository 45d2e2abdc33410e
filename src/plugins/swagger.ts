/** The OpenAPI document (generated from the route schemas), Swagger UI at /docs, and /openapi.json. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { SERVICE_NAME, SERVICE_VERSION } from './version.js';

export async function registerSwagger(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    // shared schemas (app.addSchema, src/schemas/common.ts `shared`) keep their $id as their name in components/schemas
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: SERVICE_NAME,
        version: SERVICE_VERSION,
        description:
          'Tells how an LLM was involved in a piece of content: role recognition (human author, LLM creator, ' +
          'polisher, extender), involvement measurement with calibrated intervals, and detection of LLM judges ' +
          'from their scores. Errors are RFC 9457 application/problem+json.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      tags: [
        { name: 'text', description: 'role and involvement of an LLM in a text' },
        { name: 'judgments', description: 'was this judgment (score set) given by an LLM?' },
        { name: 'models', description: 'what is loaded' },
        { name: 'operations', description: 'health, readiness, metrics' },
      ],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'only when the service sets API_KEYS' },
          bearer: { type: 'http', scheme: 'bearer', description: 'the same key as Authorization: Bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: false } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
