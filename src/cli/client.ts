/**
 * How the command talks to the detectors: over HTTP to a running service (`--url`), or in-process by
 * building the same Fastify app the server runs and calling it with `app.inject` (no port is opened).
 * Both paths go through the same routes, so their answers are identical.
 */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [k: string]: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  retryAfter?: string;
}

export interface Client {
  readonly where: string;
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse>;
  close(): Promise<void>;
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A problem object for any non-2xx answer, even one that is not problem+json. */
export function problemOf(res: ApiResponse): Problem {
  const b = res.body;
  if (b && typeof b === 'object' && 'title' in b) {
    const p = b as Problem;
    return { ...p, status: typeof p.status === 'number' ? p.status : res.status, detail: p.detail ?? '' };
  }
  return {
    type: 'about:blank',
    title: res.status === 0 ? 'service unreachable' : `HTTP ${res.status}`,
    status: res.status,
    detail: typeof b === 'string' ? b.slice(0, 500) : JSON.stringify(b ?? null).slice(0, 500),
  };
}

export class RemoteClient implements Client {
  readonly where: string;
  private readonly base: URL;

  constructor(
    url: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.base = new URL(url.endsWith('/') ? url : `${url}/`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error(`--url must be http(s), got ${url}`);
    this.where = this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    const url = new URL(path.replace(/^\//, ''), this.base);
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, body: parseBody(text), retryAfter: res.headers.get('retry-after') ?? undefined };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
      const detail = timedOut
        ? `no answer from ${url.origin} within ${this.timeoutMs} ms`
        : `${url.origin}: ${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`.trim();
      return { status: 0, body: { type: 'about:blank', title: timedOut ? 'service timed out' : 'service unreachable', status: 0, detail } };
    }
  }

  async close(): Promise<void> {}
}

interface InjectableApp {
  inject(opts: { method: string; url: string; payload?: string; headers?: Record<string, string> }): Promise<{
    statusCode: number;
    body: string;
    headers: Record<string, unknown>;
  }>;
  ready(): PromiseLike<unknown>;
  close(): PromiseLike<unknown>;
  /** resolves when model loading has finished (src/app.ts decorates it) */
  modelsLoaded?: () => Promise<void>;
}

export interface InProcessOptions {
  modelDir?: string;
  /** the embedded service's own log on stderr (default: none) */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

/**
 * Builds the service's app (src/app.ts build()) in this process. Models load once; every request is an
 * `app.inject`, through the same validation, routes and detectors as the server.
 * The app module is imported lazily so `--url` runs never load onnxruntime.
 */
export class InProcessClient implements Client {
  readonly where = 'in-process models';
  private constructor(private readonly app: InjectableApp) {}

  static async create(opts: InProcessOptions): Promise<InProcessClient> {
    const { loadConfig } = await import('../config.js');
    const env: Record<string, string | undefined> = { ...process.env };
    if (opts.modelDir) {
      env.MODEL_DIR = opts.modelDir;
      delete env.ENCODER_DIR;
    }
    const config = {
      ...loadConfig(env),
      // a local tool: no keys, no rate limit, no CORS
      apiKeys: [],
      rateLimitMax: 0,
      corsOrigin: null,
      loadModels: true,
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    };
    const { build } = await import('../app.js');
    let app: InjectableApp;
    if (opts.logLevel) {
      const { pino } = await import('pino');
      // stdout carries the results: the service's log goes to stderr
      app = (await build(config, { loggerInstance: pino({ level: opts.logLevel }, process.stderr) })) as unknown as InjectableApp;
    } else {
      app = (await build(config, { logger: false })) as unknown as InjectableApp;
    }
    await app.ready();
    if (app.modelsLoaded) await app.modelsLoaded();
    return new InProcessClient(app);
  }

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
    const res = await this.app.inject({
      method,
      url: path,
      payload: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
    });
    const ra = res.headers['retry-after'];
    return { status: res.statusCode, body: parseBody(res.body), retryAfter: ra === undefined ? undefined : String(ra) };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/**
 * Creates the real client on the first request, so a run whose inputs are all unreadable never loads
 * models. A client that cannot be created answers every request as unavailable (status 0).
 */
export class LazyClient implements Client {
  private client: Promise<Client> | null = null;
  private failure: string | null = null;

  constructor(
    readonly where: string,
    private readonly create: () => Promise<Client>,
  ) {}

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
    if (!this.client) {
      this.client = this.create().catch((err: unknown) => {
        this.failure = err instanceof Error ? err.message : String(err);
        throw err;
      });
    }
    let c: Client;
    try {
      c = await this.client;
    } catch {
      return { status: 0, body: { type: 'about:blank', title: 'models could not be started', status: 0, detail: this.failure ?? 'unknown error' } };
    }
    return c.request(method, path, body);
  }

  async close(): Promise<void> {
    if (!this.client) return;
    try {
      await (await this.client).close();
    } catch {
      /* creation failed: nothing to close */
    }
  }
}
