/**
 * Every environment variable the service reads, typed and validated in one place.
 * `loadConfig(env)` is pure: it never reads process.env itself unless given it, and it throws a
 * ConfigError listing every bad variable by name. src/server.ts prints that and exits non-zero.
 */
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  modelDir: string;
  encoderDir: string;
  /** text heads (role + involvement); default <modelDir>/heads */
  textHeadsDir: string;
  encoderPrecision: 'int8' | 'fp32';
  device: 'cpu' | 'cuda';
  intraOpThreads: number | undefined;
  batchMaxTokens: number;
  batchMaxWaitMs: number;
  /** texts waiting in the encoder queue before OverloadedError (only with admission off) */
  queueMax: number;
  /** admission control by cost at the door (src/plugins/admission.ts) */
  admission: boolean;
  /** fixed cap: estimated encoder tokens admitted and not finished */
  admissionMaxTokens: number;
  /** per-cent of the time to the deadline that a request's estimated finish may use */
  admissionDeadlinePct: number;
  /** requests doing detector work at once (HTTP-level bound); beyond it: 503 + Retry-After */
  maxInFlight: number;
  requestTimeoutMs: number;
  bodyLimitBytes: number;
  maxTextChars: number;
  maxBatchItems: number;
  maxJudgments: number;
  jsonMaxDepth: number;
  apiKeys: string[];
  /** requests per window per API key (or per client address without keys); 0 disables */
  rateLimitMax: number;
  rateLimitWindowMs: number;
  /** null: CORS off (no CORS headers at all) */
  corsOrigin: string[] | '*' | null;
  logBodies: boolean;
  shutdownGraceMs: number;
  /** fastify trustProxy: false, true, or the number of proxy hops to trust (for client addresses) */
  trustProxy: boolean | number;
  /** the opt-in likelihood model (LIKELIHOOD=on); undefined: not loaded, requests asking for it get 503 */
  likelihood: { dir: string; maxTokens: number } | undefined;
  /** load the models at start-up (false only in tools that need the routes but no models) */
  loadModels: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigVariable {
  name: string;
  default: string;
  description: string;
}

/** The documented variables (README's table is written from this list). */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  { name: 'PORT', default: '8080', description: 'TCP port to listen on (0 = any free port)' },
  { name: 'HOST', default: '127.0.0.1', description: 'address to bind (the container sets 0.0.0.0)' },
  { name: 'LOG_LEVEL', default: 'info', description: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'MODEL_DIR', default: './models', description: 'directory holding encoder/, heads/, judgments/' },
  { name: 'ENCODER_DIR', default: '$MODEL_DIR/encoder', description: 'directory of the ONNX encoder' },
  { name: 'TEXT_HEADS_DIR', default: '$MODEL_DIR/heads', description: 'directory of the text heads (e.g. $MODEL_DIR/heads-features-only)' },
  { name: 'LIKELIHOOD', default: 'off', description: 'on: load the likelihood model (a 135 M causal LM, about 0.8 s per text on the CPU: bench/RESULTS.md section 10) so that requests with `likelihood: true` get zero-shot likelihood features; off: such requests get 503' },
  { name: 'LIKELIHOOD_DIR', default: '$MODEL_DIR/likelihood', description: 'directory of the likelihood model' },
  { name: 'LIKELIHOOD_MAX_TOKENS', default: '256', description: 'tokens of a text the likelihood model reads (the rest is not read); the combination head was fitted at 256 and is given only at that value' },
  { name: 'ENCODER_PRECISION', default: 'fp32', description: 'fp32 (model.onnx: the embeddings the text heads were trained on) or int8 (model.int8.onnx: about 1.2x the raw encoder throughput, bench/RESULTS.md section 1; the same decision as fp32 on 99.3% of the test split; per-token scales, so neither depends on the batch, and int8 gives the same integers on every x86-64 CPU)' },
  { name: 'DEVICE', default: 'cpu', description: 'cpu or cuda (onnxruntime execution provider)' },
  { name: 'INTRA_OP_THREADS', default: '(onnxruntime default)', description: 'threads per ONNX inference, 1-256' },
  { name: 'BATCH_MAX_TOKENS', default: '2048', description: 'tokens per encoder micro-batch' },
  { name: 'BATCH_MAX_WAIT_MS', default: '5', description: 'how long the micro-batcher waits to fill a batch' },
  { name: 'QUEUE_MAX', default: '256', description: 'texts waiting for the encoder before 503 + Retry-After; only with ADMISSION=off (admission bounds the work instead)' },
  { name: 'ADMISSION', default: 'true', description: 'admission control by cost at the door: a request that the estimate says cannot finish before its deadline, or that would pass ADMISSION_MAX_TOKENS, is refused at once with 503 + Retry-After, before any work' },
  { name: 'ADMISSION_MAX_TOKENS', default: '1000000', description: 'fixed cap on the work admitted and not finished, in estimated encoder tokens (characters / 4 per encoder pass: a 3,000-word text with its halves and quarters is about 14,000)' },
  { name: 'ADMISSION_DEADLINE_PCT', default: '70', description: 'refuse when the estimated finish ((admitted work + this request) / measured throughput) passes this per-cent of the time left to REQUEST_TIMEOUT_MS' },
  { name: 'MAX_IN_FLIGHT', default: '64', description: 'requests doing model work at once before 503 + Retry-After' },
  { name: 'REQUEST_TIMEOUT_MS', default: '30000', description: 'per-request deadline; queued work is cancelled, 504' },
  { name: 'BODY_LIMIT_BYTES', default: '1048576', description: 'largest request body; larger is 413' },
  { name: 'MAX_TEXT_CHARS', default: '100000', description: 'longest text (characters) in any text field' },
  { name: 'MAX_BATCH_ITEMS', default: '64', description: 'items in one /v1/text/analyze/batch request' },
  { name: 'MAX_JUDGMENTS', default: '256', description: 'judgments in one /v1/judgments/detect request' },
  { name: 'JSON_MAX_DEPTH', default: '32', description: 'deepest JSON nesting accepted in a body' },
  { name: 'API_KEYS', default: '(none: open)', description: 'comma-separated keys; when set, /v1 needs x-api-key or Bearer' },
  { name: 'RATE_LIMIT_MAX', default: '0', description: 'requests per window per API key (or client address); 0 = off (the default: capacity is protected by the queue and 503 + Retry-After, not by a client\'s rate). Set it behind a shared gateway so one tenant cannot starve the others' },
  { name: 'RATE_LIMIT_WINDOW_MS', default: '60000', description: 'rate limit window' },
  { name: 'CORS_ORIGIN', default: '(off)', description: 'comma-separated allowed origins, or *; unset = no CORS' },
  { name: 'TRUST_PROXY', default: 'false', description: 'true or a hop count when behind a proxy (client address for rate limits)' },
  { name: 'LOG_BODIES', default: 'false', description: 'log request bodies (texts can be private)' },
  { name: 'SHUTDOWN_GRACE_MS', default: '10000', description: 'how long SIGTERM waits for in-flight requests' },
];

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[name];
    if (v === undefined) return undefined;
    const t = v.trim();
    return t === '' ? undefined : t;
  }

  int(name: string, def: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return def;
    if (!/^[0-9]+$/.test(v)) {
      this.problems.push(`${name} must be a whole number between ${min} and ${max}, got ${JSON.stringify(v)}`);
      return def;
    }
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be between ${min} and ${max}, got ${v}`);
      return def;
    }
    return n;
  }

  optionalInt(name: string, min: number, max: number): number | undefined {
    if (this.raw(name) === undefined) return undefined;
    return this.int(name, min, min, max);
  }

  oneOf<T extends string>(name: string, def: T, allowed: readonly T[]): T {
    const v = this.raw(name);
    if (v === undefined) return def;
    const lower = v.toLowerCase();
    if (!(allowed as readonly string[]).includes(lower)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return def;
    }
    return lower as T;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return def;
    const lower = v.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
    if (['0', 'false', 'no', 'off'].includes(lower)) return false;
    this.problems.push(`${name} must be true or false, got ${JSON.stringify(v)}`);
    return def;
  }
}

const HOST_RE = /^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/;
const ORIGIN_RE = /^https?:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/;

export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);

  const port = r.int('PORT', 8080, 0, 65535);
  const host = r.raw('HOST') ?? '127.0.0.1';
  if (!HOST_RE.test(host)) r.problems.push(`HOST must be a host name or IP address, got ${JSON.stringify(host)}`);
  const logLevel = r.oneOf<LogLevel>('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
  const modelDir = path.resolve(r.raw('MODEL_DIR') ?? './models');
  const encoderDirRaw = r.raw('ENCODER_DIR');
  const encoderDir = encoderDirRaw ? path.resolve(encoderDirRaw) : path.join(modelDir, 'encoder');
  const textHeadsRaw = r.raw('TEXT_HEADS_DIR');
  const textHeadsDir = textHeadsRaw ? path.resolve(textHeadsRaw) : path.join(modelDir, 'heads');
  const encoderPrecision = r.oneOf('ENCODER_PRECISION', 'fp32', ['int8', 'fp32'] as const);
  const likelihoodOn = r.oneOf('LIKELIHOOD', 'off', ['off', 'on'] as const) === 'on';
  const likelihoodDirRaw = r.raw('LIKELIHOOD_DIR');
  const likelihoodMaxTokens = r.int('LIKELIHOOD_MAX_TOKENS', 256, 16, 100_000);
  const device = r.oneOf('DEVICE', 'cpu', ['cpu', 'cuda'] as const);
  const intraOpThreads = r.optionalInt('INTRA_OP_THREADS', 1, 256);
  const batchMaxTokens = r.int('BATCH_MAX_TOKENS', 2048, 128, 1_048_576);
  const batchMaxWaitMs = r.int('BATCH_MAX_WAIT_MS', 5, 0, 10_000);
  const queueMax = r.int('QUEUE_MAX', 256, 1, 1_000_000);
  const maxInFlight = r.int('MAX_IN_FLIGHT', 64, 1, 100_000);
  const admission = r.bool('ADMISSION', true);
  const admissionMaxTokens = r.int('ADMISSION_MAX_TOKENS', 1_000_000, 1000, 1_000_000_000);
  const admissionDeadlinePct = r.int('ADMISSION_DEADLINE_PCT', 70, 1, 100);
  const requestTimeoutMs = r.int('REQUEST_TIMEOUT_MS', 30_000, 10, 3_600_000);
  const bodyLimitBytes = r.int('BODY_LIMIT_BYTES', 1_048_576, 1024, 1_073_741_824);
  const maxTextChars = r.int('MAX_TEXT_CHARS', 100_000, 1, 100_000_000);
  const maxBatchItems = r.int('MAX_BATCH_ITEMS', 64, 1, 100_000);
  const maxJudgments = r.int('MAX_JUDGMENTS', 256, 1, 100_000);
  const jsonMaxDepth = r.int('JSON_MAX_DEPTH', 32, 4, 1000);
  const rateLimitMax = r.int('RATE_LIMIT_MAX', 0, 0, 100_000_000);
  const rateLimitWindowMs = r.int('RATE_LIMIT_WINDOW_MS', 60_000, 100, 86_400_000);
  const logBodies = r.bool('LOG_BODIES', false);
  const shutdownGraceMs = r.int('SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000);

  let trustProxy: boolean | number = false;
  const tp = r.raw('TRUST_PROXY');
  if (tp !== undefined) {
    if (/^[0-9]{1,2}$/.test(tp)) trustProxy = Number(tp);
    else trustProxy = r.bool('TRUST_PROXY', false);
  }

  let apiKeys: string[] = [];
  const keysRaw = r.raw('API_KEYS');
  if (keysRaw !== undefined) {
    apiKeys = keysRaw.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
    if (apiKeys.length === 0) r.problems.push('API_KEYS is set but holds no key');
    for (const [i, k] of apiKeys.entries()) {
      if (k.length < 16 || !/^[\x21-\x7e]+$/.test(k)) {
        r.problems.push(`API_KEYS entry ${i + 1} must be at least 16 printable ASCII characters without spaces`);
      }
    }
  }

  let corsOrigin: Config['corsOrigin'] = null;
  const corsRaw = r.raw('CORS_ORIGIN');
  if (corsRaw !== undefined) {
    if (corsRaw === '*') corsOrigin = '*';
    else {
      const origins = corsRaw.split(',').map((o) => o.trim()).filter(Boolean);
      const bad = origins.filter((o) => !ORIGIN_RE.test(o));
      if (origins.length === 0 || bad.length > 0) {
        r.problems.push(`CORS_ORIGIN must be * or a comma-separated list of origins like https://example.org, got ${JSON.stringify(corsRaw)}`);
      } else corsOrigin = origins;
    }
  }

  if (r.problems.length > 0) throw new ConfigError(r.problems);

  return {
    port,
    host,
    logLevel,
    modelDir,
    encoderDir,
    textHeadsDir,
    encoderPrecision,
    device,
    intraOpThreads,
    batchMaxTokens,
    batchMaxWaitMs,
    queueMax,
    admission,
    admissionMaxTokens,
    admissionDeadlinePct,
    maxInFlight,
    requestTimeoutMs,
    bodyLimitBytes,
    maxTextChars,
    maxBatchItems,
    maxJudgments,
    jsonMaxDepth,
    apiKeys,
    rateLimitMax,
    rateLimitWindowMs,
    corsOrigin,
    logBodies,
    shutdownGraceMs,
    trustProxy,
    likelihood: likelihoodOn ? { dir: likelihoodDirRaw ? path.resolve(likelihoodDirRaw) : path.join(modelDir, 'likelihood'), maxTokens: likelihoodMaxTokens } : undefined,
    loadModels: true,
  };
}
