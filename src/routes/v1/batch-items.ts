/**
 * /v1/text/analyze/batch checks its items one by one (HTTP layer, pure): a malformed item becomes that
 * item's own error, never the request's. The route validates only the envelope (batchEnvelope); each
 * item is checked here against the documented item schema (batchItem), then for a duplicate id, then
 * its text as any text field is (prepareText).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError } from '../../detectors/types.js';
import type { NormalizedText } from '../../detectors/normalize.js';
import { VALIDATION_OPTIONS, allowedValuesKeyword } from '../../schemas/common.js';
import { batchEnvelope, batchItem, type TextLimits } from '../../schemas/text.js';
import { prepareText } from './prepare.js';

/** The app's validator options, so an item's error reads like a body's. */
const ajv = allowedValuesKeyword(new Ajv({ ...VALIDATION_OPTIONS, strict: false }));

/** A JSON-schema failure of one item, paths relative to the request; errorToProblem formats it as a 400. */
export class ItemValidationError extends Error {
  readonly validationContext = 'body';
  constructor(readonly validation: ErrorObject[]) {
    super('invalid batch item');
    this.name = 'ItemValidationError';
  }
}

export type CheckedItem = { ok: true; id: string; n: NormalizedText } | { ok: false; id?: string; err: Error };

export interface BatchValidators {
  /** the route's body validator: the envelope, items left to checkItems */
  envelope: ValidateFunction;
  checkItems(items: unknown[]): CheckedItem[];
}

export function batchValidators(limits: TextLimits): BatchValidators {
  const envelope = ajv.compile(batchEnvelope(limits));
  const item = ajv.compile(batchItem(limits));
  return {
    envelope,
    checkItems(items) {
      const firstIndexOf = new Map<string, number>();
      return items.map((raw, i): CheckedItem => {
        const base = `/items/${i}`;
        const id = raw !== null && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : undefined;
        if (!item(raw)) {
          const errors = (item.errors ?? []).map((e) => ({ ...e, instancePath: base + e.instancePath }));
          return { ok: false, id: id !== undefined && id.length > 0 ? id : undefined, err: new ItemValidationError(errors) };
        }
        const { id: itemId, text } = raw as { id: string; text: string };
        const first = firstIndexOf.get(itemId);
        if (first !== undefined) return { ok: false, id: itemId, err: new InputError(`duplicates the id of /items/${first}; ids must be unique within a request`, `${base}/id`) };
        firstIndexOf.set(itemId, i);
        try {
          return { ok: true, id: itemId, n: prepareText(text, `${base}/text`, limits.maxTextChars) };
        } catch (err) {
          return { ok: false, id: itemId, err: err as Error };
        }
      });
    },
  };
}
