/**
 * The only request body parser: strict JSON.
 * - `application/json` (charset, if given, must be utf-8); any other content type is 415.
 * - The bytes must be valid UTF-8 (RFC 8259), otherwise 400.
 * - Nesting deeper than JSON_MAX_DEPTH is refused before parsing (no deep recursion anywhere).
 * - Numbers that overflow to Infinity (e.g. 1e999) and `__proto__`/`constructor` keys are 400,
 *   naming the JSON path.
 */
import type { FastifyInstance } from 'fastify';
import { HttpProblem, joinPointer } from './problem.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Deepest nesting of arrays/objects in a JSON text (strings skipped), stopping early past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Walks a parsed value iteratively; returns the path of the first forbidden thing, or null. */
function findForbidden(root: unknown): { path: string; message: string } | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { path: path || '/', message: 'must be a finite number (this one overflows)' };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], joinPointer(path, i)]);
    } else if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
          return { path: joinPointer(path, k), message: 'this property name is not allowed' };
        }
        stack.push([(v as Record<string, unknown>)[k], joinPointer(path, k)]);
      }
    }
  }
  return null;
}

export function parseJsonBody(body: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = decoder.decode(body);
  } catch {
    throw new HttpProblem(400, 'invalid-json', 'Malformed JSON', 'the request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpProblem(400, 'invalid-json', 'Malformed JSON', 'the request body is empty; send a JSON object');
  const depth = jsonDepth(text, maxDepth);
  if (depth > maxDepth) {
    throw new HttpProblem(400, 'too-deep', 'JSON nested too deeply', `the request body nests deeper than ${maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const msg = err instanceof Error ? err.message.replace(/\s+/g, ' ').slice(0, 200) : 'parse error';
    throw new HttpProblem(400, 'invalid-json', 'Malformed JSON', `the request body is not valid JSON: ${msg}`);
  }
  const bad = findForbidden(value);
  if (bad) throw new HttpProblem(400, 'invalid-input', 'Invalid input', `${bad.path} ${bad.message}`, [bad]);
  return value;
}

export function registerJsonBody(app: FastifyInstance, opts: { maxDepth: number; bodyLimit: number }): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (request, body, done) => {
    const ct = String(request.headers['content-type'] ?? '');
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(ct)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new HttpProblem(415, 'unsupported-media-type', 'Unsupported Media Type', `charset ${charset} is not supported; send UTF-8 JSON`), undefined);
      return;
    }
    try {
      done(null, parseJsonBody(body as Buffer, opts.maxDepth));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
