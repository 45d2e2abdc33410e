/** Schemas of /v1/judgments/*. */
import { Type, type Static } from '@sinclair/typebox';
import { Contribution, ModelRef, StringEnum, Warnings, shared } from './common.js';

export interface JudgmentLimits {
  maxTextChars: number;
  maxJudgments: number;
}

export function detectRequest(limits: JudgmentLimits) {
  return Type.Object(
    {
      rubric: Type.String({ minLength: 1, maxLength: 64, description: 'a rubric id from GET /v1/judgments/rubrics' }),
      judgments: Type.Array(
        Type.Object(
          {
            candidate: Type.Optional(
              Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), Type.String({ maxLength: limits.maxTextChars }), {
                maxProperties: 16,
                description: 'the judged item, e.g. {"prompt": ..., "response": ...}; the fields a rubric reads are listed by /v1/judgments/rubrics',
              }),
            ),
            scores: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), Type.Number(), {
              minProperties: 1,
              maxProperties: 64,
              description: 'the judge\'s score per rubric dimension; each within the dimension\'s [min, max]',
            }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: limits.maxJudgments, description: 'all taken to come from one judge' },
      ),
      explain: Type.Optional(Type.Boolean({ default: false })),
    },
    {
      additionalProperties: false,
      examples: [
        {
          rubric: 'helpsteer2',
          judgments: [{ candidate: { prompt: 'Name a prime.', response: '7' }, scores: { helpfulness: 3, correctness: 3, coherence: 4, complexity: 2, verbosity: 2 } }],
        },
      ],
    },
  );
}
export type DetectRequestT = Static<ReturnType<typeof detectRequest>>;

const Label = StringEnum(['llm', 'human']);

export const DetectResponse = shared('JudgmentDetection', Type.Object(
  {
    model: ModelRef,
    rubric: Type.String(),
    judgments: Type.Array(shared('JudgmentVerdict', Type.Object({ llm_probability: Type.Number({ minimum: 0, maximum: 1 }), label: Label }, { additionalProperties: false })), { description: 'one per judgment, in order' }),
    group: shared('JudgmentGroup', Type.Object(
      { k: Type.Integer({ minimum: 1 }), llm_probability: Type.Number({ minimum: 0, maximum: 1 }), label: Label },
      { additionalProperties: false, description: 'all judgments combined (sum of log-odds)' },
    )),
    explanation: Type.Optional(Type.Array(Contribution)),
    warnings: Warnings,
  },
  {
    additionalProperties: false,
    examples: [
      {
        model: { id: 'llm-provenance-judgment-helpsteer2', version: '1.0.0' },
        rubric: 'helpsteer2',
        judgments: [{ llm_probability: 0.91, label: 'llm' }],
        group: { k: 1, llm_probability: 0.91, label: 'llm' },
        warnings: [],
      },
    ],
  },
));

export const RubricDescription = shared('Rubric', Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    dimensions: Type.Array(
      shared('RubricDimension', Type.Object(
        { name: Type.String(), min: Type.Number(), max: Type.Number(), integer: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      )),
    ),
    candidate_fields: Type.Array(Type.String()),
    scores_only: Type.Boolean(),
    metrics: Type.Record(Type.String(), Type.Unknown()),
    bias: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    model: ModelRef,
  },
  { additionalProperties: false },
));

export const RubricsResponse = shared('RubricList', Type.Object({ rubrics: Type.Array(RubricDescription) }, { additionalProperties: false }));
