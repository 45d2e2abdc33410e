/**
 * Every 4xx/5xx leaves as application/problem+json. Validation errors name the JSON path; detector
 * errors map to their status; anything unexpected is a 500 with no stack trace and no internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DeadlineError, InputError, ModelUnavailableError, OverloadedError } from '../detectors/types.js';
import { ClientClosedError } from './work.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, joinPointer, problem, type FieldError } from './problem.js';

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  params?: Record<string, unknown>;
  message?: string;
}

function validationErrors(list: AjvLikeError[], context: string | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const e of list) {
    let path = e.instancePath ?? '';
    const p = e.params ?? {};
    if (e.keyword === 'required' && typeof p.missingProperty === 'string') path = joinPointer(path, p.missingProperty);
    else if (e.keyword === 'additionalProperties' && typeof p.additionalProperty === 'string') path = joinPointer(path, p.additionalProperty);
    else if (e.keyword === 'propertyNames' && typeof p.propertyName === 'string') path = joinPointer(path, p.propertyName);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') message = 'is not a known field';
    else if (e.keyword === 'required') message = 'is required';
    else if (e.keyword === 'enum' || e.keyword === 'const' || e.keyword === 'anyOf') {
      const allowed = p.allowedValues ?? p.allowedValue;
      if (allowed !== undefined) message = `must be one of ${JSON.stringify(allowed)}`;
    }
    out.push({ path: path === '' ? '/' : path, message });
  }
  // anyOf produces one error per branch plus a summary; keep one per path, most specific first
  const seen = new Set<string>();
  const dedup = out.filter((e) => (seen.has(e.path + e.message) ? false : (seen.add(e.path + e.message), true)));
  if (context && context !== 'body') return dedup.map((e) => ({ ...e, path: `${context}:${e.path}` }));
  return dedup;
}

export function errorToProblem(err: unknown, requestId: string): { status: number; body: ReturnType<typeof problem>; headers: Record<string, string>; unexpected: boolean } {
  const e = err as FastifyError & { validation?: AjvLikeError[]; validationContext?: string };
  if (err instanceof HttpProblem) {
    return { status: err.status, body: err.toProblem(requestId), headers: err.headers, unexpected: false };
  }
  if (Array.isArray(e?.validation)) {
    const errors = validationErrors(e.validation, e.validationContext);
    const first = errors[0];
    const detail = first ? `${first.path} ${first.message}` : 'the request is invalid';
    return { status: 400, body: problem(400, 'invalid-input', 'Invalid input', detail, requestId, errors), headers: {}, unexpected: false };
  }
  const name = (err as Error)?.name;
  if (err instanceof ClientClosedError) {
    return { status: 499, body: problem(499, 'client-closed', 'Client Closed Request', err.message, requestId), headers: {}, unexpected: false };
  }
  // the encoder has look-alike classes of its own (src/encoder/errors.ts): same public fields
  if (err instanceof ModelUnavailableError || name === 'ModelUnavailableError' || name === 'EncoderUnavailableError') {
    const m = err as ModelUnavailableError;
    return {
      status: 503,
      body: problem(503, 'model-unavailable', 'Model unavailable', `model ${m.modelName} is not available: ${m.reason}`, requestId, undefined, { model: m.modelName }),
      headers: { 'retry-after': '30' },
      unexpected: false,
    };
  }
  if (name === 'WorkerRestartingError') {
    // a model worker thread died with this request in it (src/encoder/supervisor.ts): no answer, retry
    const w = err as { modelName?: string; retryAfterSeconds?: number };
    const secs = Math.max(1, Math.ceil(Number(w.retryAfterSeconds) || 5));
    return {
      status: 503,
      body: problem(503, 'model-restarting', 'Model restarting', `the ${w.modelName ?? 'model'} worker failed while computing this answer and is being replaced, so none is given; retry after the number of seconds in Retry-After`, requestId, undefined, { model: w.modelName ?? 'unknown' }),
      headers: { 'retry-after': String(secs) },
      unexpected: false,
    };
  }
  if (err instanceof InputError || name === 'InputError') {
    const ie = err as InputError;
    const path = typeof ie.path === 'string' && ie.path !== '' ? ie.path : '/';
    return {
      status: 400,
      body: problem(400, 'invalid-input', 'Invalid input', `${path} ${ie.message}`, requestId, [{ path, message: ie.message }]),
      headers: {},
      unexpected: false,
    };
  }
  if (err instanceof OverloadedError || name === 'OverloadedError' || name === 'EncoderOverloadedError') {
    const secs = Math.max(1, Math.ceil(Number((err as OverloadedError).retryAfterSeconds) || 1));
    return {
      status: 503,
      body: problem(503, 'overloaded', 'Service overloaded', 'the service is at capacity; retry after the number of seconds in Retry-After', requestId),
      headers: { 'retry-after': String(secs) },
      unexpected: false,
    };
  }
  if (err instanceof DeadlineError || name === 'DeadlineError') {
    return {
      status: 504,
      body: problem(504, 'deadline', 'Deadline exceeded', (err as Error).message || 'the request deadline passed', requestId),
      headers: {},
      unexpected: false,
    };
  }
  if (name === 'EncoderInferenceError') {
    // onnxruntime failed on this request's batch: say so, never answer with a guess (details go to the log)
    return {
      status: 500,
      body: problem(500, 'inference-failed', 'Inference failed', `the model failed while computing this answer, so none is given; quote request id ${requestId} when reporting it`, requestId),
      headers: {},
      unexpected: true,
    };
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413) {
    return { status, body: problem(413, 'body-too-large', 'Payload Too Large', 'the request body is larger than the limit (BODY_LIMIT_BYTES)', requestId), headers: {}, unexpected: false };
  }
  if (status === 415) {
    return {
      status,
      body: problem(415, 'unsupported-media-type', 'Unsupported Media Type', 'send the body as application/json', requestId),
      headers: {},
      unexpected: false,
    };
  }
  if (status === 429) {
    return {
      status,
      body: problem(429, 'rate-limited', 'Too Many Requests', 'rate limit exceeded; retry after the number of seconds in Retry-After', requestId),
      headers: {},
      unexpected: false,
    };
  }
  if (status >= 400 && status < 500) {
    // fastify's own client errors (empty body, bad content-length...): their messages hold no internals
    const msg = typeof e?.message === 'string' ? e.message.slice(0, 300) : 'bad request';
    return { status, body: problem(status, 'bad-request', 'Bad Request', msg, requestId), headers: {}, unexpected: false };
  }
  return {
    status: 500,
    body: problem(500, 'internal', 'Internal Server Error', `an unexpected error occurred; quote request id ${requestId} when reporting it`, requestId),
    headers: {},
    unexpected: true,
  };
}

export function sendProblem(reply: FastifyReply, p: ReturnType<typeof errorToProblem>): FastifyReply {
  for (const [k, v] of Object.entries(p.headers)) reply.header(k, v);
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(p.body);
}

export function registerErrors(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const p = errorToProblem(err, request.id);
    if (p.unexpected) request.log.error({ err }, 'unexpected error');
    else if (p.status >= 500) request.log.warn({ status: p.status, detail: p.body.detail }, 'service could not answer');
    else request.log.info({ status: p.status, detail: p.body.detail }, 'client error');
    return sendProblem(reply, p);
  });

  app.setNotFoundHandler((request, reply) => {
    const body = problem(404, 'not-found', 'Not Found', `no route ${request.method} ${request.url.split('?')[0].slice(0, 200)}`, request.id);
    return reply.code(404).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
  });
}
