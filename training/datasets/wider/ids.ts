/**
 * The ids of the wider text sets (issue 45), in load order; WIDER_TEXT_SOURCES (wider/corpus.ts) has an
 * entry for each. Kept apart so that the sampler can tell a wider row without importing the loaders.
 */
export const WIDER_IDS = ['imbd', 'fast-detect-gpt', 'glimpse', 'detectrl', 'l2r', 'outfox', 'herbold-essays', 'argugpt', 'grid', 'ellipse'] as const;

export const WIDER_SOURCE_IDS: ReadonlySet<string> = new Set<string>(WIDER_IDS);

/** True when any row comes from a wider set: the sampler then balances generators and domains too. */
export const hasWiderRows = (rows: readonly { source: string }[]): boolean => rows.some((r) => WIDER_SOURCE_IDS.has(r.source));
