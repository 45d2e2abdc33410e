/**
 * The text heads' training recipe, shared by training (train-text.ts), leave-one-source-out (loso.ts)
 * and evaluation (eval-text.ts). The environment switches that the recipe's experiments set (TEXT_L2_*,
 * TEXT_HIDDEN, TEXT_EPOCHS, TEXT_MEMBERS, TEXT_ROLE_MODEL, TEXT_LEXICON_*, TEXT_EMBED_MAX_WORDS,
 * TEXT_CONTRAST_EMBEDDING, TEXT_QUARTER_EMBEDDING; models/card/history.md) are retired: training/README.md.
 */
/**
 * The halves' and quarters' embeddings pooled from the token states of the whole text's one encoder pass
 * over their character spans (heads' span_pooling; src/encoder embedSpans), instead of a pass of their own
 * each (seven passes per text). TEXT_SPAN_POOLING=0 trains with the seven passes (an embedder without embedSpans).
 */
export const SPAN_POOLING = process.env.TEXT_SPAN_POOLING !== '0';
/** marker words (fit/lexicon.ts) */
export const LEXICON_OPTS = { minSources: 3, perSide: 60, minLean: 0.4 };

/**
 * The recipe for heads with `embeddingDim` embedding inputs, shared by training and leave-one-source-out
 * (config.json's training.recipe). The MLP's L2 penalty and hidden width were chosen by leave-one-source-out for
 * the heads with the embedding (L2 0.1, 128 units since 2026-12-02; models/card/history.md); the features-only
 * heads keep 0.01 and 64, the values they were measured with.
 */
export function headRecipe(embeddingDim: number) {
  return {
    roleModel: 'mlp' as const,
    hidden: embeddingDim > 0 ? 128 : 64,
    epochs: 40,
    /** the MLP role head as the average of this many seeds' networks */
    members: 1,
    l2Mlp: embeddingDim > 0 ? 0.1 : 1e-2,
    l2Role: 3e-3,
    l2Ratio: 1e-4,
    coverage: 0.9,
  };
}

/**
 * The heads learn from today's sets and the wider sets (training/datasets/wider/, issue 45: recipe B, chosen by
 * the clean leave-one-source-out mean of models/card/text-wider.md). models/heads-features-only ships it (1.2.0);
 * models/heads is still 1.1.0 (recipe A: `HEADS_WIDER=false` trains its recipe, as 49add17 did) until its 1.2.0 is evaluated.
 * The card's evaluation reads the corpus each heads directory was trained on (widerHeads).
 */
export const HEADS_WIDER = process.env.HEADS_WIDER !== 'false';

/**
 * The text heads' version; {role} becomes the first 8 hex digits of role.json's sha256. 1.2.0: trained on the
 * wider corpus too (issue 45, recipe B); 1.1.0: the label-consistent involvement ratio (issue 42); 1.0.0: the
 * weighted median.
 */
export const HEADS_VERSION = HEADS_WIDER ? '1.2.0+{role}' : '1.1.0+{role}';

/**
 * Issue 48: the languages the heads answer for, written into config.json by train-text.ts (the service gates
 * every other language). A language is listed once the card's Languages section (training/eval-languages.ts)
 * measures its false-positive rate within 2 points of English's.
 */
export const HEADS_LANGUAGES = {
  supported: ['en'],
  identifier: 'eld 2.1.0 (src/features/language.ts)',
  rule: "a text identified as a language outside `supported` gets a warning naming it, role confidence low and decision.applicable false (flagged false, reason unsupported_language); a language is listed once its role and decision numbers are measured and its false-positive rate is within 2 points of English's (issue 48)",
};
