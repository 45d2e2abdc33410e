/**
 * loadDetectors: wires encoder -> text detector -> judgment detector from MODEL_DIR.
 *
 * A part that is missing or broken never becomes a fake answer: it is recorded as unavailable with
 * the reason, the routes that need it answer 503 problem+json naming it, and /readyz says why.
 * Knows nothing of HTTP.
 */
import type { TextEmbedder } from '../encoder/types.js';
import type { LikelihoodOptions } from '../likelihood/index.js';
import type { LikelihoodDetector } from './likelihood.js';
import type { JudgmentDetector, TextDetector } from './types.js';
import { ModelUnavailableError } from './types.js';

export type ModelName = 'encoder' | 'text-heads' | 'judgments' | 'likelihood';
/** The models every instance loads; an optional one (likelihood) is listed and awaited only when switched on. */
export const MODEL_NAMES: readonly ModelName[] = ['encoder', 'text-heads', 'judgments'];
export const OPTIONAL_MODELS: readonly ModelName[] = ['likelihood'];

export type ModelState = 'loading' | 'ready' | 'unavailable';

/** What a supervised model worker reports (src/encoder/supervisor.ts WorkerHealth). */
export interface WorkerHealthLike {
  state: 'starting' | 'ready' | 'restarting' | 'closed';
  reason?: string;
  restarts: number;
  lastRecoveryMs: number | null;
  lastCrashAt: number | null;
}

export interface ModelStatus {
  name: ModelName;
  state: ModelState;
  /** why it is unavailable (or what it is waiting for) */
  reason?: string;
}

export interface DetectorsConfig {
  modelDir: string;
  encoderDir: string;
  /** default <modelDir>/heads */
  textHeadsDir?: string;
  /** the opt-in likelihood model (LIKELIHOOD=on): loaded only when set */
  likelihood?: { dir: string; maxTokens: number };
  encoderPrecision: 'int8' | 'fp32';
  device: 'cpu' | 'cuda';
  intraOpThreads?: number;
  batchMaxTokens: number;
  batchMaxWaitMs: number;
  queueMax: number;
  /** admission control is on: it bounds the work, so the encoder queue refuses nothing admitted */
  admission?: boolean;
}

export interface DetectorsLogger {
  info(o: unknown, msg?: string): void;
  warn(o: unknown, msg?: string): void;
  error(o: unknown, msg?: string): void;
}

/**
 * What the HTTP layer holds: the detectors that loaded, and the state of every model. Mutable while
 * loading; routes read it per request.
 */
export class Detectors {
  text: TextDetector | null = null;
  judgment: JudgmentDetector | null = null;
  embedder: TextEmbedder | null = null;
  likelihood: LikelihoodDetector | null = null;
  /** estimated encoder tokens per second the text detector achieved in its timed warm-up (admission's prior) */
  warmupTokensPerSecond: number | null = null;
  private readonly status = new Map<ModelName, ModelStatus>();
  /** optional models switched on for this instance */
  private readonly enabled = new Set<ModelName>();

  constructor(initial: ModelState = 'loading') {
    for (const name of MODEL_NAMES) this.status.set(name, { name, state: initial, reason: initial === 'loading' ? 'loading' : undefined });
  }

  /** A registry built from detectors already in hand (tests, tools); absent ones are unavailable. */
  static of(parts: {
    text?: TextDetector | null;
    judgment?: JudgmentDetector | null;
    embedder?: TextEmbedder | null;
    likelihood?: LikelihoodDetector | null;
    reasons?: Partial<Record<ModelName, string>>;
  }): Detectors {
    const d = new Detectors('loading');
    if (parts.likelihood) {
      d.likelihood = parts.likelihood;
      d.enable('likelihood');
      d.set('likelihood', 'ready');
    }
    d.text = parts.text ?? null;
    d.judgment = parts.judgment ?? null;
    d.embedder = parts.embedder ?? null;
    const reasons = parts.reasons ?? {};
    d.set('text-heads', d.text ? 'ready' : 'unavailable', d.text ? undefined : (reasons['text-heads'] ?? 'not loaded'));
    d.set('encoder', d.text || d.embedder ? 'ready' : 'unavailable', d.text || d.embedder ? undefined : (reasons.encoder ?? 'not loaded'));
    d.set('judgments', d.judgment ? 'ready' : 'unavailable', d.judgment ? undefined : (reasons.judgments ?? 'not loaded'));
    return d;
  }

  set(name: ModelName, state: ModelState, reason?: string): void {
    this.status.set(name, { name, state, reason });
  }

  /**
   * A model's state. A loaded model whose worker thread died and is being replaced (its health() says
   * 'restarting') reads as 'loading' until the replacement is warm: /readyz says not ready meanwhile.
   */
  get(name: ModelName): ModelStatus {
    const s = this.status.get(name)!;
    if (s?.state === 'ready') {
      const h = this.health(name);
      if (h && h.state === 'restarting') return { name, state: 'loading', reason: h.reason ?? 'its worker thread is being replaced' };
    }
    return s;
  }

  /** The worker health of a model that runs in a supervised worker thread (encoder, likelihood). */
  health(name: ModelName): WorkerHealthLike | undefined {
    try {
      if (name === 'encoder') return this.embedder?.health?.();
      if (name === 'likelihood') return this.likelihood?.health?.();
    } catch {
      /* best effort */
    }
    return undefined;
  }

  /** Lists an optional model (and waits for it before ready) from now on. */
  enable(name: ModelName): void {
    this.enabled.add(name);
    if (!this.status.has(name)) this.status.set(name, { name, state: 'loading', reason: 'loading' });
  }

  all(): ModelStatus[] {
    return [...MODEL_NAMES, ...OPTIONAL_MODELS.filter((n) => this.enabled.has(n))].map((n) => this.get(n));
  }

  get ready(): boolean {
    return this.all().every((s) => s.state === 'ready');
  }

  /** The text detector, or a ModelUnavailableError naming the first missing model it needs. */
  requireText(): TextDetector {
    if (this.text && this.get('text-heads').state === 'ready') return this.text;
    const enc = this.get('encoder');
    if (enc.state !== 'ready') throw new ModelUnavailableError('encoder', enc.reason ?? enc.state);
    const heads = this.get('text-heads');
    throw new ModelUnavailableError('text-heads', heads.reason ?? heads.state);
  }

  /** The likelihood model, or a ModelUnavailableError saying why (switched off unless LIKELIHOOD=on). */
  requireLikelihood(): LikelihoodDetector {
    if (this.likelihood && this.get('likelihood')?.state === 'ready') return this.likelihood;
    if (!this.enabled.has('likelihood')) throw new ModelUnavailableError('likelihood', 'switched off on this instance (start it with LIKELIHOOD=on)');
    const s = this.get('likelihood');
    throw new ModelUnavailableError('likelihood', s.reason ?? s.state);
  }

  requireJudgment(): JudgmentDetector {
    if (this.judgment && this.get('judgments').state === 'ready') return this.judgment;
    const j = this.get('judgments');
    throw new ModelUnavailableError('judgments', j.reason ?? j.state);
  }

  async close(): Promise<void> {
    const e = this.embedder;
    const l = this.likelihood;
    this.embedder = null;
    this.likelihood = null;
    if (e) await e.close();
    if (l) await l.close();
  }
}

/** The reason a part is unavailable, without repeating "model X is not available:" prefixes. */
function reasonOf(err: unknown): string {
  let r: string;
  if (err && typeof err === 'object' && typeof (err as { reason?: unknown }).reason === 'string') r = (err as { reason: string }).reason;
  else r = err instanceof Error ? err.message : String(err);
  return r.replace(/^(?:model [\w-]+ is not available: )+/, '');
}

/** Imports a sibling module by a computed path, so this file compiles before its owners land it. */
async function importPart<T>(relative: string, exportName: string): Promise<T> {
  const spec = relative;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(relative.replace(/^\.\.?\//, '').replace(/\.js$/, ''))) {
      throw new Error(`the code for this model (src/${relative.replace(/^\.\.\//, '').replace(/^\.\//, 'detectors/').replace(/\.js$/, '')}) is not part of this build`);
    }
    throw new Error(`cannot load ${relative}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${relative} does not export ${exportName}()`);
  return fn as T;
}

type CreateEmbedder = (opts: {
  dir: string;
  precision: 'int8' | 'fp32';
  device: 'cpu' | 'cuda';
  intraOpThreads?: number;
  maxBatchTokens?: number;
  maxWaitMs?: number;
  maxQueue?: number;
  maxQueueWindows?: number;
  logger?: DetectorsLogger;
}) => Promise<TextEmbedder>;
type LoadText = (opts: { modelDir: string; headsDir?: string; embedder: TextEmbedder }) => Promise<TextDetector>;
type LoadJudgment = (opts: { modelDir: string; text?: TextDetector }) => Promise<JudgmentDetector>;
type LoadLikelihood = (opts: LikelihoodOptions) => Promise<LikelihoodDetector>;

/**
 * The encoder queue's bounds: QUEUE_MAX with admission off; none with admission on, which bounds the
 * work at the door by cost, so that a request it admitted is never refused by the queue half-way.
 */
export function encoderQueueLimits(config: Pick<DetectorsConfig, 'admission' | 'queueMax'>): { maxQueue: number; maxQueueWindows?: number } {
  return config.admission ? { maxQueue: Number.MAX_SAFE_INTEGER, maxQueueWindows: Number.MAX_SAFE_INTEGER } : { maxQueue: config.queueMax };
}

const WARM_UP_TEXT =
  'The committee reviewed the proposal on Tuesday and asked the authors to clarify how the data were ' +
  'collected, who labelled them, and whether the results hold on documents written after the cut-off.';

/**
 * Loads every model into `into` (so the HTTP layer sees progress), warms each up with one real call,
 * and returns it. Never throws for a missing model: the registry records why.
 */
export async function loadDetectors(config: DetectorsConfig, logger: DetectorsLogger, into: Detectors = new Detectors()): Promise<Detectors> {
  // encoder
  try {
    const createEmbedder = await importPart<CreateEmbedder>('../encoder/index.js', 'createEmbedder');
    into.embedder = await createEmbedder({
      dir: config.encoderDir,
      precision: config.encoderPrecision,
      device: config.device,
      intraOpThreads: config.intraOpThreads,
      maxBatchTokens: config.batchMaxTokens,
      maxWaitMs: config.batchMaxWaitMs,
      ...encoderQueueLimits(config),
      logger,
    });
    await into.embedder.embed(WARM_UP_TEXT);
    into.set('encoder', 'ready');
    logger.info({ model: 'encoder', info: into.embedder.info }, 'encoder loaded and warmed up');
  } catch (err) {
    into.set('encoder', 'unavailable', reasonOf(err));
    logger.error({ model: 'encoder', reason: reasonOf(err) }, 'encoder unavailable');
  }

  // text heads (need the encoder)
  if (into.embedder && into.get('encoder').state === 'ready') {
    try {
      const loadTextDetector = await importPart<LoadText>('./text.js', 'loadTextDetector');
      const text = await loadTextDetector({ modelDir: config.modelDir, headsDir: config.textHeadsDir, embedder: into.embedder });
      await text.analyze({ text: WARM_UP_TEXT, tasks: ['role', 'involvement'], segments: true, explain: true });
      if (text.cost) {
        // a timed request of a few hundred words: admission control's throughput until it measures its own
        const long = Array(8).fill(WARM_UP_TEXT).join(' ');
        const t0 = performance.now();
        await text.analyze({ text: long, tasks: ['role', 'involvement'], segments: false, explain: false });
        into.warmupTokensPerSecond = text.cost({ text: long, segments: false }) / Math.max(1e-3, (performance.now() - t0) / 1000);
      }
      into.text = text;
      into.set('text-heads', 'ready');
      logger.info({ model: 'text-heads', ref: text.model }, 'text heads loaded and warmed up');
    } catch (err) {
      into.set('text-heads', 'unavailable', reasonOf(err));
      logger.error({ model: 'text-heads', reason: reasonOf(err) }, 'text heads unavailable');
    }
  } else {
    into.set('text-heads', 'unavailable', `needs the encoder, which is unavailable: ${into.get('encoder').reason ?? 'unknown'}`);
  }

  // judgments (may use the text detector for candidate texts; scores-only rubrics work without it)
  try {
    const loadJudgmentDetector = await importPart<LoadJudgment>('./judgment.js', 'loadJudgmentDetector');
    const judgment = await loadJudgmentDetector({ modelDir: config.modelDir, text: into.text ?? undefined });
    const rubrics = judgment.rubrics();
    if (rubrics.length === 0) throw new ModelUnavailableError('judgments', `no rubric found under ${config.modelDir}/judgments`);
    const r = rubrics[0];
    const scores: Record<string, number> = {};
    for (const d of r.dimensions) scores[d.name] = d.min;
    const candidate: Record<string, string> = {};
    for (const f of r.candidate_fields) candidate[f] = WARM_UP_TEXT;
    await judgment.detect({ rubric: r.id, judgments: [{ candidate, scores }], explain: true });
    into.judgment = judgment;
    into.set('judgments', 'ready');
    logger.info({ model: 'judgments', rubrics: rubrics.map((x) => x.id) }, 'judgment heads loaded and warmed up');
  } catch (err) {
    into.set('judgments', 'unavailable', reasonOf(err));
    logger.error({ model: 'judgments', reason: reasonOf(err) }, 'judgment heads unavailable');
  }

  // the likelihood model: opt-in (LIKELIHOOD=on), warmed up by its loader
  if (config.likelihood) {
    into.enable('likelihood');
    try {
      const loadLikelihoodDetector = await importPart<LoadLikelihood>('./likelihood.js', 'loadLikelihoodDetector');
      into.likelihood = await loadLikelihoodDetector({ dir: config.likelihood.dir, maxTokens: config.likelihood.maxTokens, intraOpThreads: config.intraOpThreads, logger });
      into.set('likelihood', 'ready');
      logger.info({ model: 'likelihood', ...into.likelihood.model, combination: into.likelihood.combination?.heads ?? null }, 'likelihood model loaded and warmed up');
    } catch (err) {
      into.set('likelihood', 'unavailable', reasonOf(err));
      logger.error({ model: 'likelihood', reason: reasonOf(err) }, 'likelihood model unavailable');
    }
  }

  return into;
}
