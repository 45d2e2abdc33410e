/** Schemas shared by every route: problem details, model reference, explanation. */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { Ajv, SchemaValidateFunction } from 'ajv';

/** How every schema here is validated (the app's ajv, and the batch route's per-item checks). */
export const VALIDATION_OPTIONS = { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } as const;

/**
 * The named schemas: registered with app.addSchema (src/app.ts), so the OpenAPI document lists them under
 * components/schemas and refers to them by $ref; generated clients get one type per name.
 */
export const SHARED_SCHEMAS: TSchema[] = [];

/** Registers `schema` as the shared schema `id` and returns a $ref to it, typed as the schema. */
export function shared<T extends TSchema>(id: string, schema: T): TUnsafe<Static<T>> {
  SHARED_SCHEMAS.push({ ...schema, $id: id });
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

/**
 * A string that takes one of `values`: one `{type: string, enum: [...]}` (not TypeBox's anyOf of one-value
 * literals, which some client generators refuse).
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/**
 * A number that takes one of `values`, as a plain `number` for client generators (an enum of floats is not
 * supported by all of them) and checked by the `x-allowed-values` keyword (allowedValuesKeyword), whose
 * failure reads as an `enum` one.
 */
export function NumberChoice(values: readonly number[], options: SchemaOptions = {}): TUnsafe<number> {
  return Type.Unsafe<number>({ ...options, type: 'number', 'x-allowed-values': [...values] });
}

/** Adds the `x-allowed-values` keyword to an ajv instance (the app's, the batch items'). */
export function allowedValuesKeyword(ajv: Ajv): Ajv {
  if (ajv.getKeyword('x-allowed-values')) return ajv;
  return ajv.addKeyword({
    keyword: 'x-allowed-values',
    type: 'number',
    schemaType: 'array',
    errors: true,
    validate: check,
  });
  function check(allowed: number[], data: number): boolean {
    if (allowed.includes(data)) return true;
    (check as SchemaValidateFunction).errors = [{ keyword: 'enum', message: 'must be equal to one of the allowed values', params: { allowedValues: allowed } }];
    return false;
  }
}

export const FieldError = Type.Object(
  {
    path: Type.String({ description: 'JSON pointer to the offending value, e.g. /items/3/text' }),
    message: Type.String(),
  },
  { additionalProperties: false },
);

/** RFC 9457 problem details (application/problem+json). */
export const ProblemObject = Type.Object(
  {
    type: Type.String({ description: 'URI naming the kind of problem' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: 'the request id' })),
    errors: Type.Optional(Type.Array(shared('FieldError', FieldError))),
  },
  {
    additionalProperties: false,
    description: 'RFC 9457 problem details, sent as application/problem+json',
    examples: [
      { type: '/problems/invalid-input', title: 'Invalid input', status: 400, detail: '/text must NOT have fewer than 1 characters', instance: 'req-1', errors: [{ path: '/text', message: 'must NOT have fewer than 1 characters' }] },
    ],
  },
);
export type ProblemT = Static<typeof ProblemObject>;
export const Problem = shared('Problem', ProblemObject);

export const ModelRef = shared('ModelRef', Type.Object({ id: Type.String(), version: Type.String() }, { additionalProperties: false }));

export const Contribution = shared(
  'Contribution',
  Type.Object({ feature: Type.String(), value: Type.Number(), contribution: Type.Number() }, { additionalProperties: false, description: 'a named feature, its value and its signed contribution' }),
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
