/** Schemas of the operations endpoints and /v1/models. */
import { Type } from '@sinclair/typebox';

export const ModelStatus = Type.Object(
  {
    name: Type.Union([Type.Literal('encoder'), Type.Literal('text-heads'), Type.Literal('judgments'), Type.Literal('likelihood')], {
      description: 'likelihood is listed only on an instance started with LIKELIHOOD=on',
    }),
    state: Type.Union([Type.Literal('loading'), Type.Literal('ready'), Type.Literal('unavailable')]),
    reason: Type.Optional(Type.String({ description: 'why it is not ready' })),
  },
  { additionalProperties: false },
);

export const HealthResponse = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

export const ReadyResponse = Type.Object(
  {
    status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
    models: Type.Array(ModelStatus),
  },
  { additionalProperties: false },
);

export const ModelsResponse = Type.Object(
  {
    service: Type.Object({ name: Type.String(), version: Type.String() }, { additionalProperties: false }),
    ready: Type.Boolean(),
    models: Type.Array(
      Type.Object(
        {
          ...ModelStatus.properties,
          id: Type.Optional(Type.String()),
          version: Type.Optional(Type.String()),
          details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'what the model says of itself: files, training data, metrics' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
