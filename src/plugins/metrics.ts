/** Prometheus metrics on GET /metrics: requests by route and status, latency, encoder queue, models. */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Detectors } from '../detectors/index.js';
import { featureModelLoads } from '../features/text.js';
import type { Admission } from './admission.js';

export interface Metrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
}

export function registerMetrics(app: FastifyInstance, detectors: () => Detectors, inFlight: () => number, admission?: Admission): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'time from request received to response sent, by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  new Gauge({
    name: 'llm_provenance_model_ready',
    help: '1 when the model is loaded and warmed up, else 0',
    labelNames: ['model'] as const,
    registers: [registry],
    collect() {
      for (const s of detectors().all()) this.set({ model: s.name }, s.state === 'ready' ? 1 : 0);
    },
  });
  new Counter({
    name: 'llm_provenance_text_feature_model_loads_total',
    help: 'loads of the part-of-speech tagger (wink-nlp) that the text features use: 1 after the first text, one more each time the words it was given to forget pass 100,000 (src/features/text.ts)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(featureModelLoads());
    },
  });
  new Gauge({
    name: 'llm_provenance_requests_in_flight',
    help: 'requests doing model work now (bounded by MAX_IN_FLIGHT)',
    registers: [registry],
    collect() {
      this.set(inFlight());
    },
  });
  const encoderGauge = (name: string, help: string, key: 'queued' | 'running' | 'batches') =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const e = detectors().embedder;
        if (!e) return;
        try {
          this.set(e.stats()[key]);
        } catch {
          /* stats are best effort */
        }
      },
    });
  encoderGauge('llm_provenance_encoder_queued', 'texts waiting for the encoder', 'queued');
  encoderGauge('llm_provenance_encoder_running', 'texts being encoded now', 'running');
  encoderGauge('llm_provenance_encoder_batches', 'encoder micro-batches run so far', 'batches');

  registerWorkerMetrics(registry, detectors);
  if (admission) registerAdmissionMetrics(registry, admission);

  app.addHook('onResponse', async (request, reply) => {
    // the route template keeps label cardinality bounded; unmatched URLs share one label
    const route = request.routeOptions.url ?? '(unmatched)';
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });

  return { registry, requests, duration };
}

/** Supervised model worker threads (src/encoder/supervisor.ts): replacements after a crash, and how long they took. */
function registerWorkerMetrics(registry: Registry, detectors: () => Detectors): void {
  const each = (fn: (model: 'encoder' | 'likelihood', h: NonNullable<ReturnType<Detectors['health']>>) => void) => {
    for (const model of ['encoder', 'likelihood'] as const) {
      const h = detectors().health(model);
      if (h) fn(model, h);
    }
  };
  new Counter({
    name: 'llm_provenance_worker_restarts_total',
    help: 'model worker threads replaced after they died (thrown error, out of memory, exit), by model',
    labelNames: ['model'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each((model, h) => this.inc({ model }, h.restarts));
    },
  });
  new Gauge({
    name: 'llm_provenance_worker_recovery_seconds',
    help: 'time from the last crash of the model worker thread to its replacement being warm (ready again), by model',
    labelNames: ['model'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each((model, h) => {
        if (h.lastRecoveryMs !== null) this.set({ model }, h.lastRecoveryMs / 1000);
      });
    },
  });
  new Gauge({
    name: 'llm_provenance_worker_last_crash_timestamp_seconds',
    help: 'when the model worker thread last died (Unix time), by model',
    labelNames: ['model'] as const,
    registers: [registry],
    collect() {
      this.reset();
      each((model, h) => {
        if (h.lastCrashAt !== null) this.set({ model }, h.lastCrashAt / 1000);
      });
    },
  });
}

/** Admission control: what the door admitted, refused and saw time out, and what it estimates now. */
function registerAdmissionMetrics(registry: Registry, a: Admission): void {
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  counter('llm_provenance_admission_admitted_total', 'requests with encoder work admitted at the door', () => a.counts.admitted);
  new Counter({
    name: 'llm_provenance_admission_refused_total',
    help: 'requests refused at the door with 503 + Retry-After, by reason (deadline: the estimate says it cannot finish in time; cap: ADMISSION_MAX_TOKENS; in_flight: MAX_IN_FLIGHT)',
    labelNames: ['reason'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ reason: 'deadline' }, a.counts.refusedDeadline);
      this.inc({ reason: 'cap' }, a.counts.refusedCap);
      this.inc({ reason: 'in_flight' }, a.counts.refusedInFlight);
    },
  });
  counter('llm_provenance_admission_timed_out_total', 'admitted requests that passed their deadline (504)', () => a.counts.timedOut);
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('llm_provenance_admission_wait_seconds', 'estimated time to finish the work admitted now (outstanding tokens / throughput)', () => a.waitMs() / 1000);
  gauge('llm_provenance_admission_outstanding_tokens', 'estimated encoder tokens admitted and not finished', () => a.outstanding);
  counter('llm_provenance_admission_likelihood_admitted_total', 'requests asking for the likelihood model admitted at the door', () => a.counts.likelihoodAdmitted);
  counter('llm_provenance_admission_likelihood_refused_total', 'requests asking for the likelihood model refused at the door (503 + Retry-After)', () => a.counts.likelihoodRefused);
  gauge('llm_provenance_admission_likelihood_outstanding_tokens', 'estimated likelihood-model tokens admitted and not finished', () => a.likelihoodOutstanding);
  gauge('llm_provenance_admission_likelihood_throughput_tokens_per_second', 'the likelihood model\'s measured throughput, tokens per second of inference (a prior until it has run a window)', () => a.likelihoodTokensPerSecond);
  gauge('llm_provenance_admission_throughput_tokens_per_second', 'measured throughput in estimated encoder tokens per second of busy time (the warm-up prior until measured)', () => a.tokensPerSecond);
}
