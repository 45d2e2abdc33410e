/** Text checks and normalisation shared by the text and judgment routes (HTTP layer, pure). */
import { InputError } from '../../detectors/types.js';
import { findLoneSurrogate, normalizeText, type NormalizedText } from '../../detectors/normalize.js';

/** Length in code points, as JSON Schema's maxLength counts. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * Validates and normalises one text field. Throws InputError naming `path` when the text is not
 * valid Unicode, too long, or empty once control and invisible characters are gone.
 */
export function prepareText(text: string, path: string, maxChars: number): NormalizedText {
  if (text.length === 0) throw new InputError('must not be empty', path);
  if (text.length > maxChars && codePointLength(text) > maxChars) {
    throw new InputError(`must NOT have more than ${maxChars} characters`, path);
  }
  const bad = findLoneSurrogate(text);
  if (bad >= 0) {
    throw new InputError(`is not valid Unicode: lone surrogate \\u${text.charCodeAt(bad).toString(16)} at character ${bad}`, path);
  }
  const n = normalizeText(text);
  if (n.text.trim().length === 0) throw new InputError('holds no visible text once control and invisible characters are removed', path);
  return n;
}
