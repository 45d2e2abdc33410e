/** What the rest of the service sees of the transformer encoder. Knows nothing of detectors. */

export interface WindowEmbedding {
  /** character offsets of the window in the input text */
  start: number;
  end: number;
  tokens: number;
  vector: Float32Array;
}

export interface Embedding {
  /** pooled over all windows (token-weighted mean of window mean-pools), L2-normalised */
  vector: Float32Array;
  tokens: number;
  windows: WindowEmbedding[];
}

export interface EncoderInfo {
  id: string;
  version: string;
  dim: number;
  /** tokens per window, including special tokens */
  maxLength: number;
  precision: 'fp32' | 'int8';
  device: 'cpu' | 'cuda';
  /** sha256 of the ONNX file actually loaded */
  sha256: string;
}

export interface TextEmbedder {
  readonly info: EncoderInfo;
  /** Embeds one text; long texts are split into overlapping windows, never truncated. */
  embed(text: string, opts?: { signal?: AbortSignal }): Promise<Embedding>;
  /**
   * One encoder pass over a text: its embedding and, for each character span [start, end), the pool of
   * the token states of that pass whose token starts in the span (masked mean per window, L2, windows
   * combined token-weighted as for the whole text, L2). A span holding no token gets the whole text's
   * vector. Optional: embedders without it are asked for each span as a text of its own.
   */
  embedSpans?(text: string, spans: [number, number][], opts?: { signal?: AbortSignal }): Promise<{ embedding: Embedding; spans: Float32Array[] }>;
  /** Embeds many texts at once (training, evaluation, batch routes). */
  embedMany(texts: string[], opts?: { signal?: AbortSignal }): Promise<Embedding[]>;
  /**
   * The inference worker's health (embedders that run one): 'restarting' while a replacement for a worker
   * that died warms up; /readyz and /metrics read it.
   */
  health?(): { state: 'starting' | 'ready' | 'restarting' | 'closed'; reason?: string; restarts: number; lastRecoveryMs: number | null; lastCrashAt: number | null };
  /** queued + running work, for /metrics and overload decisions */
  stats(): { queued: number; running: number; batches: number };
  close(): Promise<void>;
}
