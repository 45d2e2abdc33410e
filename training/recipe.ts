/**
 * The text heads' training recipe, shared by training (train-text.ts), leave-one-source-out (loso.ts)
 * and evaluation (eval-text.ts).
 */
export const L2_ROLE = Number(process.env.TEXT_L2_ROLE ?? 3e-3);
export const L2_RATIO = Number(process.env.TEXT_L2_RATIO ?? 1e-4);
/** the embedding input covers the first this many words (0 = the whole text, in overlapping windows, as served) */
export const EMBED_MAX_WORDS = Number(process.env.TEXT_EMBED_MAX_WORDS ?? 0);
/**
 * Heads with the embedding also read the embedding's difference between the second and the first half of
 * the text (two more encoder passes per text; chosen by leave-one-source-out on 2026-12-02, models/card/history.md).
 * TEXT_CONTRAST_EMBEDDING=0 trains without it.
 */
export const CONTRAST_EMBEDDING = process.env.TEXT_CONTRAST_EMBEDDING !== '0';
/**
 * The embedding of the text's first quarter minus the mean of the other three quarters' as more inputs
 * (chosen by leave-one-source-out: models/card/history.md; the sweep, `loso-sweep.ts --quarters`, is retired: training/README.md); four more
 * encoder passes of a quarter each. TEXT_QUARTER_EMBEDDING=0 trains without it.
 */
export const QUARTER_EMBEDDING = process.env.TEXT_QUARTER_EMBEDDING !== '0';
/**
 * The halves' and quarters' embeddings pooled from the token states of the whole text's one encoder pass
 * over their character spans (heads' span_pooling; src/encoder embedSpans), instead of a pass of their own
 * each (seven passes per text). TEXT_SPAN_POOLING=0 trains with the seven passes.
 */
export const SPAN_POOLING = process.env.TEXT_SPAN_POOLING !== '0';
/** marker words (src/heads/lexicon.ts): TEXT_LEXICON_MIN_SOURCES / _PER_SIDE / _MIN_LEAN override them (experiments) */
export const LEXICON_OPTS = {
  minSources: Number(process.env.TEXT_LEXICON_MIN_SOURCES ?? 3),
  perSide: Number(process.env.TEXT_LEXICON_PER_SIDE ?? 60),
  minLean: Number(process.env.TEXT_LEXICON_MIN_LEAN ?? 0.4),
};

/** the recipe shared by training and leave-one-source-out evaluation */
export const HEAD_RECIPE = {
  roleModel: (process.env.TEXT_ROLE_MODEL ?? 'mlp') as 'mlp' | 'linear',
  hidden: Number(process.env.TEXT_HIDDEN ?? 64),
  epochs: Number(process.env.TEXT_EPOCHS ?? 40),
  /** the MLP role head as the average of this many seeds' networks (TEXT_MEMBERS) */
  members: Number(process.env.TEXT_MEMBERS ?? 1),
  l2Mlp: Number(process.env.TEXT_L2_MLP ?? 1e-2),
  l2Role: L2_ROLE,
  l2Ratio: L2_RATIO,
  coverage: 0.9,
};

/**
 * The recipe for heads with `embeddingDim` embedding inputs. The MLP's L2 penalty and hidden width were
 * chosen by leave-one-source-out for the heads with the embedding (L2 0.1, 128 units since 2026-12-02;
 * models/card/history.md); the features-only heads keep 0.01 and 64, the values they were measured with.
 * TEXT_L2_MLP and TEXT_HIDDEN override both.
 */
export function headRecipe(embeddingDim: number): typeof HEAD_RECIPE {
  const l2Mlp = process.env.TEXT_L2_MLP !== undefined ? HEAD_RECIPE.l2Mlp : embeddingDim > 0 ? 0.1 : 1e-2;
  const hidden = process.env.TEXT_HIDDEN !== undefined ? HEAD_RECIPE.hidden : embeddingDim > 0 ? 128 : 64;
  return { ...HEAD_RECIPE, l2Mlp, hidden };
}

/**
 * The text heads' version; {role} becomes the first 8 hex digits of role.json's sha256. 1.1.0: the
 * label-consistent involvement ratio (issue 42); 1.0.0: the weighted median.
 */
export const HEADS_VERSION = '1.1.0+{role}';

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
