/** Schemas of /v1/judgments/*. */
import { Type, type Static } from '@sinclair/typebox';
import { Contribution, ModelRef, Warnings } from './common.js';

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
    { additionalProperties: false },
  );
}
export type DetectRequestT = Static<ReturnType<typeof detectRequest>>;

const Label = Type.Union([Type.Literal('llm'), Type.Literal('human')]);

export const DetectResponse = Type.Object(
  {
    model: ModelRef,
    rubric: Type.String(),
    judgments: Type.Array(Type.Object({ llm_probability: Type.Number({ minimum: 0, maximum: 1 }), label: Label }, { additionalProperties: false })),
    group: Type.Object(
      { k: Type.Integer({ minimum: 1 }), llm_probability: Type.Number({ minimum: 0, maximum: 1 }), label: Label },
      { additionalProperties: false, description: 'all judgments combined (sum of log-odds)' },
    ),
    explanation: Type.Optional(Type.Array(Contribution)),
    warnings: Warnings,
  },
  { additionalProperties: false },
);

export const RubricDescription = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    dimensions: Type.Array(
      Type.Object(
        { name: Type.String(), min: Type.Number(), max: Type.Number(), integer: Type.Optional(Type.Boolean()) },
        { additionalProperties: false },
      ),
    ),
    candidate_fields: Type.Array(Type.String()),
    scores_only: Type.Boolean(),
    metrics: Type.Record(Type.String(), Type.Unknown()),
    bias: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    model: ModelRef,
  },
  { additionalProperties: false },
);

export const RubricsResponse = Type.Object({ rubrics: Type.Array(RubricDescription) }, { additionalProperties: false });
