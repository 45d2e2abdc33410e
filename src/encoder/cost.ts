/**
 * The cost unit of admission control: estimated encoder tokens, from characters (no tokenization,
 * which would cost as much as a share of the work it is meant to guard). Admission measures the
 * service's throughput in the same unit, so the constant calibrates itself; only the relative cost of
 * requests (their length, their passes) must be right.
 */

/** characters per token of the estimate (English through a WordPiece vocabulary: about 4) */
export const CHARS_PER_TOKEN = 4;
/** per-request cost beyond its tokens (HTTP, JSON, features, heads), in estimated tokens */
export const REQUEST_OVERHEAD_TOKENS = 128;

/** Estimated encoder tokens of `chars` characters fed to the encoder once. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / CHARS_PER_TOKEN);
}
