/**
 * Which language a text is in (issue 48): eld (Efficient Language Detector, npm eld, 60 languages, n-gram
 * scores), chosen over franc-min and tinyld in bench/RESULTS.md section 11 (as accurate or more on short
 * English, about ten times faster). Its n-gram database is loaded once, by loadLanguageIdentifier().
 *
 * The answer: an ISO 639-1 code and eld's score for it (0-1, higher = more of the text's n-grams fit that
 * language; not a calibrated probability), or `und` (ISO 639-2 "undetermined", score 0) when eld names
 * no language or calls its guess unreliable (too little text, or no language clearly ahead). Ties go to the
 * languages the models support: when one of them scores within TIE of the best, it is the answer, so a
 * short English text that happens to fit Dutch n-grams as well is not taken for Dutch.
 *
 * Too little evidence: a text whose first READS characters (what eld reads) hold fewer than MIN_WORDS words
 * with a letter in them (a name, a place, a regex, a document symbol) is named with `uncertain: true`, and
 * such a guess is answered but not acted on (the detector gates no decision on it). On the English test
 * split eld took "Real Madrid." for Catalan, "Kodály körönd" for Hungarian, "E/C.12/1999/SR.32" for
 * Tagalog and a regex for Italian; over the corpus' English texts (all splits) it named another language
 * for 37 of the 249 texts of 1-2 such words and 4 of the 205 of 3-4 (names, lists of countries, symbols),
 * while from about 7 words on most of what it named so were in that language (German hotel reviews, say).
 */
import { countWords } from './words.js';

export interface LanguageGuess {
  /** ISO 639-1, or 'und' */
  code: string;
  /** eld's score of that language, 0-1 (0 for und) */
  confidence: number;
  /** present (true) when the text has fewer than MIN_WORDS words that hold a letter: named, not acted on */
  uncertain?: true;
}

export interface LanguageIdentifier {
  /** e.g. "eld 2.1.0 (small)" */
  readonly name: string;
  identify(text: string, supported?: readonly string[]): LanguageGuess;
}

/** the identifier reads at most this many characters of a text (its start) */
export const MAX_CHARS = 20_000;

/** a supported language scoring within this of the best is the answer */
export const TIE = 0.05;

/** eld reads at most this many characters of a text (eld 2.1.0 detect(): text.substring(0, 1000)) */
const READS = 1000;

/** fewer words holding a letter than this: the guess is uncertain (see the file's comment) */
export const MIN_WORDS = 5;

/** the words of a text that hold a letter (numbers, symbols and punctuation tell no language) */
export function letterWords(text: string): number {
  return countWords((text.match(/\S*\p{L}\S*/gu) ?? []).join(' '));
}

/** the eld database size served: bench/RESULTS.md section 11 measured small, medium and large */
const ELD_SIZE = 'small';

interface EldResult {
  language: string;
  getScores(): Record<string, number>;
  isReliable(): boolean;
}

let loading: Promise<LanguageIdentifier> | null = null;

/** eld with its database, loaded once per process (a second call gets the same one) */
export function loadLanguageIdentifier(): Promise<LanguageIdentifier> {
  loading ??= (async () => {
    const mod = (await import('eld/small')) as unknown as { eld: { detect(text: string): EldResult } };
    const eld = mod.eld;
    return {
      name: `eld 2.1.0 (${ELD_SIZE})`,
      identify(text: string, supported: readonly string[] = []): LanguageGuess {
        // the first MAX_CHARS characters tell the language as well as the whole, at a bounded cost
        const r = eld.detect(text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text);
        if (!r.language || !r.isReliable()) return { code: 'und', confidence: 0 };
        const scores = r.getScores();
        const best = scores[r.language] ?? 0;
        let code = r.language;
        if (!supported.includes(code)) {
          const tie = supported.filter((s) => (scores[s] ?? -1) >= best - TIE).sort((a, b) => scores[b] - scores[a])[0];
          if (tie) code = tie;
        }
        const guess: LanguageGuess = { code, confidence: Math.round((scores[code] ?? 0) * 1e4) / 1e4 };
        if (letterWords(text.slice(0, READS)) < MIN_WORDS) guess.uncertain = true;
        return guess;
      },
    };
  })();
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** English names of the languages eld knows, for warnings a person reads */
const NAMES: Record<string, string> = {
  am: 'Amharic', ar: 'Arabic', az: 'Azerbaijani', be: 'Belarusian', bg: 'Bulgarian', bn: 'Bengali', ca: 'Catalan',
  cs: 'Czech', da: 'Danish', de: 'German', el: 'Greek', en: 'English', es: 'Spanish', et: 'Estonian', eu: 'Basque',
  fa: 'Persian', fi: 'Finnish', fr: 'French', gu: 'Gujarati', he: 'Hebrew', hi: 'Hindi', hr: 'Croatian',
  hu: 'Hungarian', hy: 'Armenian', is: 'Icelandic', it: 'Italian', ja: 'Japanese', ka: 'Georgian', kn: 'Kannada',
  ko: 'Korean', ku: 'Kurdish', lo: 'Lao', lt: 'Lithuanian', lv: 'Latvian', ml: 'Malayalam', mr: 'Marathi',
  ms: 'Malay', nl: 'Dutch', no: 'Norwegian', or: 'Oriya', pa: 'Punjabi', pl: 'Polish', pt: 'Portuguese',
  ro: 'Romanian', ru: 'Russian', sk: 'Slovak', sl: 'Slovenian', sq: 'Albanian', sr: 'Serbian', sv: 'Swedish',
  ta: 'Tamil', te: 'Telugu', th: 'Thai', tl: 'Tagalog', tr: 'Turkish', uk: 'Ukrainian', ur: 'Urdu',
  vi: 'Vietnamese', yo: 'Yoruba', zh: 'Chinese', id: 'Indonesian',
};

/** "German (de)", or the code alone for a language without a name here */
export function languageName(code: string): string {
  return NAMES[code] ? `${NAMES[code]} (${code})` : code;
}
