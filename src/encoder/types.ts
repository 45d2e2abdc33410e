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
  /** Embeds many texts at once (training, evaluation, batch routes). */
  embedMany(texts: string[], opts?: { signal?: AbortSignal }): Promise<Embedding[]>;
  /** queued + running work, for /metrics and overload decisions */
  stats(): { queued: number; running: number; batches: number };
  close(): Promise<void>;
}
