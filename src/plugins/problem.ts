/** RFC 9457 problem details: the one shape of every 4xx/5xx answer. */
import type { ProblemT } from '../schemas/common.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface FieldError {
  path: string;
  message: string;
}

/** An error that already knows its HTTP answer. */
export class HttpProblem extends Error {
  constructor(
    public readonly status: number,
    public readonly slug: string,
    public readonly title: string,
    detail: string,
    public readonly errors?: FieldError[],
    public readonly headers: Record<string, string> = {},
    /** extension members (RFC 9457 section 3.2) */
    public readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toProblem(instance?: string): ProblemT & Record<string, unknown> {
    return problem(this.status, this.slug, this.title, this.message, instance, this.errors, this.extensions);
  }
}

export function problem(
  status: number,
  slug: string,
  title: string,
  detail: string,
  instance?: string,
  errors?: FieldError[],
  extensions: Record<string, unknown> = {},
): ProblemT & Record<string, unknown> {
  const p: ProblemT & Record<string, unknown> = { type: `/problems/${slug}`, title, status, detail, ...extensions };
  if (instance !== undefined) p.instance = instance;
  if (errors && errors.length > 0) p.errors = errors;
  return p;
}

/** Escapes a property name for a JSON pointer (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function joinPointer(base: string, key: string | number): string {
  return `${base}/${pointerSegment(key)}`;
}
