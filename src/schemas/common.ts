/** Schemas shared by every route: problem details, model reference, explanation. */
import { Type, type Static } from '@sinclair/typebox';

/** How every schema here is validated (the app's ajv, and the batch route's per-item checks). */
export const VALIDATION_OPTIONS = { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } as const;

export const ProblemFieldError = Type.Object(
  {
    path: Type.String({ description: 'JSON pointer to the offending value, e.g. /items/3/text' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

/** RFC 9457 problem details (application/problem+json). */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: 'the request id' })),
    errors: Type.Optional(Type.Array(ProblemFieldError)),
  },
  { additionalProperties: false, description: 'RFC 9457 problem details, sent as application/problem+json' },
);
export type ProblemT = Static<typeof Problem>;

export const ModelRef = Type.Object({ id: Type.String(), version: Type.String() }, { additionalProperties: false });

export const Contribution = Type.Object(
  { feature: Type.String(), value: Type.Number(), contribution: Type.Number() },
  { additionalProperties: false },
);

export const Warnings = Type.Array(Type.String(), {
  description: 'things the caller should know: short texts, possible evasion attempts (zero-width characters, homoglyphs), normalisation',
});

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid input; `errors` names each offending JSON path',
  401: 'missing or wrong API key',
  404: 'no such route',
  413: 'body larger than BODY_LIMIT_BYTES',
  415: 'content type other than application/json',
  429: 'rate limit exceeded; see Retry-After',
  503: 'a model this route needs is not loaded (detail names it), or the service is at capacity (Retry-After)',
  504: 'the request deadline (REQUEST_TIMEOUT_MS) passed',
};

/** The problem responses a route may give, for validation of our own output and the OpenAPI document. */
export function problemResponses(...codes: number[]): Record<number, typeof Problem> {
  const out: Record<number, typeof Problem> = {};
  for (const c of codes) out[c] = { ...Problem, description: PROBLEM_DESCRIPTIONS[c] ?? 'problem details' };
  return out;
}

export const V1_PROBLEMS = [400, 401, 413, 415, 429, 503, 504] as const;

/** /v1 routes accept an API key when the service sets API_KEYS (the empty entry: keys are optional). */
export const V1_SECURITY: Record<string, string[]>[] = [{ apiKey: [] }, { bearer: [] }, {}];
