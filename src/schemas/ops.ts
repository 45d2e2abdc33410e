/** Schemas of the operations endpoints and /v1/models. */
import { Type } from '@sinclair/typebox';
import { ProblemObject, StringEnum, shared } from './common.js';

export const ModelStatusObject = Type.Object(
  {
    name: StringEnum(['encoder', 'text-heads', 'judgments', 'likelihood'], {
      description: 'likelihood is listed only on an instance started with LIKELIHOOD=on',
    }),
    state: StringEnum(['loading', 'ready', 'unavailable']),
    reason: Type.Optional(Type.String({ description: 'why it is not ready' })),
  },
  { additionalProperties: false },
);
export const ModelStatus = shared('ModelStatus', ModelStatusObject);

export const HealthResponse = shared('Health', Type.Object({ status: StringEnum(['ok']) }, { additionalProperties: false }));

export const ReadyResponse = shared('Readiness', Type.Object(
  {
    status: StringEnum(['ready', 'not_ready']),
    models: Type.Array(ModelStatus),
  },
  { additionalProperties: false },
));

export const NotReady = shared('NotReady', Type.Object(
  { ...ProblemObject.properties, models: Type.Array(ModelStatus) },
  { additionalProperties: false, description: 'not ready: problem details plus the state of each model and why' },
));

export const ModelsResponse = shared('ModelList', Type.Object(
  {
    service: Type.Object({ name: Type.String(), version: Type.String() }, { additionalProperties: false }),
    ready: Type.Boolean(),
    models: Type.Array(
      shared('ModelInfo', Type.Object(
        {
          ...ModelStatusObject.properties,
          id: Type.Optional(Type.String()),
          version: Type.Optional(Type.String()),
          details: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'what the model says of itself: files, training data, metrics' })),
        },
        { additionalProperties: false },
      )),
    ),
  },
  { additionalProperties: false },
));
