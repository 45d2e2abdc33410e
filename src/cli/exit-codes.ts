/**
 * Exit codes of the `llm-provenance` command. Scripts may rely on them; changing one is a breaking change.
 * When several inputs fail differently, the command exits with the largest code among them.
 */
export const EXIT = {
  /** every input was analyzed */
  OK: 0,
  /** the command line itself is wrong: unknown command or option, missing argument */
  USAGE: 1,
  /** an input is wrong: unreadable file, not UTF-8, bad JSON line, or the service rejected it (400, 413, 415, 422) */
  INPUT: 2,
  /** the service or a model is unavailable: connection failed, 503 (model not loaded, overloaded), 504, other 5xx */
  UNAVAILABLE: 3,
  /** the service refused access: 401, 403 (API key) or 429 (rate limit) */
  REFUSED: 4,
  /** a bug in the command itself */
  INTERNAL: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = `Exit codes:
  0  success: every input was analyzed
  1  usage error: unknown command or option, missing argument
  2  input error: a file could not be read or is not UTF-8 text, a JSONL line is not valid, or the
     service rejected an input (HTTP 400, 404, 413, 415, 422)
  3  service or model unavailable: cannot connect, HTTP 503 (model not loaded, overloaded), 504, 5xx
  4  access refused: HTTP 401 or 403 (API key), 429 (rate limit)
  5  internal error in the command itself
  With several inputs the largest code among them is returned; results for the other inputs are
  still printed.`;

/** The exit code an HTTP status maps to (status 0 = no answer at all). */
export function exitForStatus(status: number): ExitCode {
  if (status >= 200 && status < 300) return EXIT.OK;
  if (status === 401 || status === 403 || status === 429) return EXIT.REFUSED;
  if (status >= 400 && status < 500) return EXIT.INPUT;
  return EXIT.UNAVAILABLE;
}
