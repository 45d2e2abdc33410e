/**
 * Errors the encoder throws. The encoder knows nothing of detectors or HTTP (imports point down), so it
 * defines its own classes; src/detectors/index.ts (loadDetectors) and the routes translate them:
 *   EncoderUnavailableError -> ModelUnavailableError('encoder', reason) -> 503
 *   EncoderOverloadedError  -> OverloadedError(retryAfterSeconds)      -> 503 + Retry-After
 *   EncoderInferenceError   -> 500 (onnxruntime failed on a batch; never a fake answer)
 * They carry the same public fields as their detector counterparts (modelName/reason,
 * retryAfterSeconds), so code that only reads those fields can treat both alike.
 * An aborted request rejects with its AbortSignal's reason, unchanged.
 */

/** The encoder's files are missing, corrupt, inconsistent, or the embedder was closed. */
export class EncoderUnavailableError extends Error {
  readonly modelName = 'encoder';
  constructor(public readonly reason: string) {
    super(`model encoder is not available: ${reason}`);
    this.name = 'EncoderUnavailableError';
  }
}

/** The bounded work queue is full; the caller should retry after `retryAfterSeconds`. */
export class EncoderOverloadedError extends Error {
  constructor(
    public readonly retryAfterSeconds = 1,
    public readonly queued = 0,
  ) {
    super(`the encoder queue is full (${queued} texts waiting); retry in ${retryAfterSeconds} s`);
    this.name = 'EncoderOverloadedError';
  }
}

/** onnxruntime failed while running a batch; every request in that batch gets this error. */
export class EncoderInferenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`encoder inference failed: ${message}`, options);
    this.name = 'EncoderInferenceError';
  }
}
