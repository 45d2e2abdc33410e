/** Schemas of /v1/text/*. Limits come from the configuration. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DECISION_RATES, DECISION_RATES_TEXT, DEFAULT_MAX_FPR, ROLES } from '../detectors/types.js';
import { LIKELIHOOD_FEATURES } from '../features/likelihood.js';
import { Contribution, ModelRef, NumberChoice, Problem, StringEnum, Warnings, shared } from './common.js';

export interface TextLimits {
  maxTextChars: number;
  maxBatchItems: number;
}

export const TextTask = StringEnum(['role', 'involvement']);

function textField(limits: TextLimits) {
  return Type.String({
    minLength: 1,
    maxLength: limits.maxTextChars,
    description: `the text to analyse (1 to ${limits.maxTextChars} characters; NFC-normalised, control and zero-width characters removed)`,
  });
}

const commonOptions = {
  likelihood: Type.Optional(
    Type.Boolean({
      default: false,
      description:
        'also return zero-shot likelihood features (how a small causal language model, SmolLM2-135M, reads the text: perplexity, entropy, rank, Fast-DetectGPT). Opt-in: costs about 0.8 s per text on the CPU (the model reads the first 256 tokens; bench/RESULTS.md section 10), and the instance must run with LIKELIHOOD=on (else 503). They do not change the role or involvement answer (model card, likelihood section)',
    }),
  ),
  segments: Type.Optional(Type.Boolean({ default: false, description: 'also return per-segment AI probabilities with character offsets' })),
  explain: Type.Optional(Type.Boolean({ default: false, description: 'also return the largest named-feature contributions' })),
  max_false_positive_rate: Type.Optional(
    NumberChoice(DECISION_RATES, {
      default: DEFAULT_MAX_FPR,
      description:
        `\`decision.flagged\` uses the threshold expected to flag this share of human texts (${DECISION_RATES_TEXT}) from a data set the heads were not trained on: estimated leave-one-source-out at training time, as a mean over the held-out data sets, so a particular domain can see more or fewer (see the model card).`,
    }),
  ),
};

const tasksField = Type.Optional(
  Type.Array(TextTask, { minItems: 1, maxItems: 2, uniqueItems: true, default: ['role', 'involvement'], description: 'defaults to both' }),
);

const EXAMPLE_TEXT = 'The committee reviewed the proposal on Tuesday and asked the authors to clarify the data.';

export function textRequest(limits: TextLimits) {
  return Type.Object(
    { text: textField(limits), tasks: tasksField, ...commonOptions },
    { additionalProperties: false, examples: [{ text: EXAMPLE_TEXT, tasks: ['role', 'involvement'], segments: true, explain: true }] },
  );
}

/** One item of /v1/text/analyze/batch as documented; the route checks each item on its own against it. */
export function batchItem(limits: TextLimits) {
  return Type.Object(
    {
      id: Type.String({ minLength: 1, maxLength: 128, description: 'the caller\'s id, echoed in the result; unique within the request' }),
      text: Type.String({
        description: `1 to ${limits.maxTextChars} characters; an item whose text is empty, too long or not valid Unicode gets its own error and does not fail the others`,
      }),
    },
    { additionalProperties: false },
  );
}

const batchItemsText =
  'checked one by one: an item that breaks its schema (a missing, duplicate or non-string `id`, a `text` that is not a string, an unknown field, an item that is not an object) or whose text is empty, too long or not valid Unicode gets its own `error` in its result; only a malformed envelope (no `items`, too many, `items` not an array, a bad option) fails the whole request';

function batchBody<I extends TSchema>(limits: TextLimits, item: I) {
  return Type.Object(
    {
      items: Type.Array(item, { minItems: 1, maxItems: limits.maxBatchItems, description: batchItemsText }),
      tasks: tasksField,
      ...commonOptions,
    },
    { additionalProperties: false, examples: [{ items: [{ id: 'a1', text: EXAMPLE_TEXT }, { id: 'a2', text: '' }], tasks: ['role'] }] },
  );
}

/** The batch body as documented (OpenAPI, types): items of the shape of batchItem. */
export function batchRequest(limits: TextLimits) {
  return batchBody(limits, batchItem(limits));
}

/** The batch body as the route validates it: the envelope only, each item is checked apart (batchItem). */
export function batchEnvelope(limits: TextLimits) {
  return batchBody(limits, Type.Unknown());
}

const Probabilities = shared('RoleProbabilities', Type.Object(
  Object.fromEntries(ROLES.map((r) => [r, Type.Number({ minimum: 0, maximum: 1 })])) as Record<(typeof ROLES)[number], ReturnType<typeof Type.Number>>,
  { additionalProperties: false, description: 'calibrated; they sum to 1' },
));

export const RoleAnswer = shared('RoleAnswer', Type.Object(
  {
    label: StringEnum(ROLES),
    probabilities: Probabilities,
    confidence: StringEnum(['low', 'medium', 'high']),
  },
  { additionalProperties: false },
));

export const InvolvementAnswer = shared('Involvement', Type.Object(
  {
    ratio: Type.Number({ minimum: 0, maximum: 1, description: 'estimated share of the text written by an LLM' }),
    interval: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: 'calibrated prediction interval [low, high]' }),
    coverage: Type.Number({ minimum: 0, maximum: 1, description: 'the interval\'s stated coverage' }),
  },
  { additionalProperties: false },
));

export const Decision = shared('Decision', Type.Object(
  {
    flagged: Type.Boolean({ description: 'ai_probability >= threshold: the text is taken to be LLM-involved' }),
    threshold: Type.Number({ minimum: 0, maximum: 1, description: 'the ai_probability threshold in force' }),
    max_false_positive_rate: Type.Number({ minimum: 0, maximum: 1, description: 'the share of human texts that threshold is expected to flag on a data set the heads were not trained on (leave-one-source-out estimate)' }),
    applicable: Type.Optional(Type.Literal(false, { description: 'present (false) when the models cannot decide for this text; then `flagged` is false and `reason` says why. Absent: the decision applies' })),
    reason: Type.Optional(StringEnum(['unsupported_language'], { description: 'why the decision is not applicable: unsupported_language = the text is in a language the models were not trained and evaluated on (`language.supported` false)' })),
  },
  { additionalProperties: false, description: 'a yes/no answer for pipelines, at a stated false-positive rate' },
));

export const Language = shared('Language', Type.Object(
  {
    code: Type.String({ description: 'ISO 639-1 code of the text\'s language, or `und` when it could not be determined (too little text, no language clearly ahead)' }),
    confidence: Type.Number({ minimum: 0, maximum: 1, description: 'the identifier\'s score for that language (eld n-gram score; 0 for und); not a calibrated probability' }),
    supported: Type.Optional(Type.Boolean({ description: 'whether the models were trained and evaluated on this language (the heads\' languages.supported, listed on the model card); absent for und' })),
    uncertain: Type.Optional(Type.Literal(true, { description: 'present (true) when the text has fewer than 5 words with a letter in them (a name, a formula, a regex): too little to be sure of its language, so the language is named but not acted on (no warning, and the decision applies even when `supported` is false)' })),
  },
  { additionalProperties: false, description: 'the language the text is in (issue 48). An unsupported language also gets a warning, role confidence low and a decision that is not applicable, unless `uncertain`' },
));

export const Segment = shared('Segment', Type.Object(
  { start: Type.Integer({ minimum: 0 }), end: Type.Integer({ minimum: 0 }), ai_probability: Type.Number({ minimum: 0, maximum: 1 }) },
  { additionalProperties: false },
));

export const Usage = shared('Usage', Type.Object(
  { characters: Type.Integer(), tokens: Type.Integer(), windows: Type.Integer() },
  { additionalProperties: false },
));

export const LikelihoodAnswer = shared('Likelihood', Type.Object(
  {
    model: ModelRef,
    tokens: Type.Integer({ minimum: 0, description: 'tokens read (at most LIKELIHOOD_MAX_TOKENS)' }),
    perplexity: Type.Number({ minimum: 0, description: 'exp(-mean log-probability) of the tokens read' }),
    fast_detectgpt: Type.Number({ description: 'Fast-DetectGPT analytic discrepancy (one model samples and scores); higher reads as more LLM-like' }),
    features: Type.Object(
      Object.fromEntries(LIKELIHOOD_FEATURES.map((f) => [f, Type.Number()])) as Record<(typeof LIKELIHOOD_FEATURES)[number], ReturnType<typeof Type.Number>>,
      { additionalProperties: false, description: 'the named features (src/features/likelihood.ts)' },
    ),
    ai_probability: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description:
          'the text heads\' ai_probability and these features combined by the likelihood model\'s combination head (models/likelihood/head.json); present when the role task ran and the combination was fitted on the heads in use. The top-level ai_probability and decision do not change',
      }),
    ),
    explanation: Type.Optional(Type.Array(Contribution, { description: 'signed contributions of the combination\'s inputs to its log-odds, largest first' })),
  },
  { additionalProperties: false, description: 'present when the request asked for `likelihood`' },
));

const analysisFields = {
  likelihood: Type.Optional(LikelihoodAnswer),
  model: ModelRef,
  segments: Type.Optional(Type.Array(Segment, { description: 'in order, in the caller\'s character offsets' })),
  explanation: Type.Optional(Type.Array(Contribution)),
  language: Type.Optional(Language),
  warnings: Warnings,
  usage: Usage,
};

const TextAnalysisObject = Type.Object(
  {
    ...analysisFields,
    role: Type.Optional(RoleAnswer),
    involvement: Type.Optional(InvolvementAnswer),
    ai_probability: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: '1 - P(human_author)' })),
    decision: Type.Optional(Decision),
  },
  {
    additionalProperties: false,
    examples: [
      {
        model: { id: 'llm-provenance-text', version: '2.0.1' },
        role: { label: 'human_author', probabilities: { human_author: 0.81, llm_creator: 0.07, llm_polisher: 0.09, llm_extender: 0.03 }, confidence: 'high' },
        involvement: { ratio: 0.12, interval: [0.02, 0.31], coverage: 0.9 },
        ai_probability: 0.19,
        decision: { flagged: false, threshold: 0.868, max_false_positive_rate: 0.05 },
        segments: [{ start: 0, end: 91, ai_probability: 0.12 }],
        explanation: [{ feature: 'type_token_ratio', value: 0.41, contribution: -0.3 }],
        language: { code: 'en', confidence: 0.81, supported: true },
        warnings: ['text has 15 words; below 80 words results are unreliable'],
        usage: { characters: 91, tokens: 19, windows: 1 },
      },
    ],
  },
);
export const TextAnalysis = shared('TextAnalysis', TextAnalysisObject);
export type TextAnalysisT = Static<typeof TextAnalysis>;

export const RoleResponse = shared('RoleAnalysis', Type.Object(
  { ...analysisFields, role: RoleAnswer, ai_probability: Type.Number({ minimum: 0, maximum: 1 }), decision: Type.Optional(Decision) },
  { additionalProperties: false },
));

export const InvolvementResponse = shared('InvolvementAnalysis', Type.Object({ ...analysisFields, involvement: InvolvementAnswer }, { additionalProperties: false }));

export const BatchResult = shared('BatchResult', Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'the item\'s id; absent only when the item had no valid `id` (its `error` says so): results keep the request\'s order' })),
    ...TextAnalysisObject.properties,
    model: Type.Optional(ModelRef),
    warnings: Type.Optional(Warnings),
    usage: Type.Optional(Usage),
    error: Type.Optional(Problem),
  },
  { additionalProperties: false, description: 'either an analysis or an `error` problem object for this item' },
));

export const BatchResponse = shared('BatchAnalysis', Type.Object({ results: Type.Array(BatchResult, { description: 'in the order of the request\'s items' }) }, { additionalProperties: false }));

export type TextRequestT = Static<ReturnType<typeof textRequest>>;
export type BatchRequestT = Static<ReturnType<typeof batchRequest>>;
