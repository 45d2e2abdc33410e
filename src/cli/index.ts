#!/usr/bin/env node
/**
 * llm-provenance: the command line. `llm-provenance --help` lists the commands; exit codes are in
 * ./exit-codes.ts (and in --help), and scripts may rely on them.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InProcessClient, LazyClient, RemoteClient, type Client } from './client.js';
import { analyze, detectJudgments, listRubrics, type Io } from './commands.js';
import { EXIT, EXIT_CODE_HELP, type ExitCode } from './exit-codes.js';
import { DECISION_RATES, DECISION_RATES_TEXT } from '../detectors/types.js';

const HELP = `llm-provenance: how was an LLM involved in a text, or in a set of judgments?

Usage:
  llm-provenance analyze [options] FILE...     analyze text files (use - for stdin)
  llm-provenance detect-judgments [options] FILE.jsonl
                                               one JSON object a line: {"rubric", "judgments": [...]}
                                               or {"rubric", "scores": {...}, "candidate": {...}}; - for stdin
  llm-provenance rubrics [options]             list the judgment rubrics and their dimensions
  llm-provenance serve [--port N] [--host H] [--model-dir DIR]
                                               start the HTTP service (same as npm start)

Options for analyze, detect-judgments and rubrics:
  --url URL            use a running service (e.g. http://127.0.0.1:8080) instead of in-process models
  --api-key KEY        API key for --url (default: $LLM_PROVENANCE_API_KEY)
  --model-dir DIR      in-process models from DIR (default: $MODEL_DIR or ./models)
  --json               machine-readable JSON on stdout instead of a table: an array in input order,
                       analyze: [{"file", "result"} | {"file", "error"}], detect-judgments:
                       [{"line", "id"?, "result"} | {"line", "id"?, "error"}]; result = the API's answer,
                       error = a problem object (RFC 9457)
  --timeout MS         per-request timeout with --url (default 60000)
  --concurrency N      requests at once (default 4)
  --no-progress        never draw the progress bar (it is drawn on stderr only when it is a terminal)
  --verbose            in-process: the service's log (model loading) on stderr
analyze only:
  --segments           per-segment AI probabilities
  --explain            the largest feature contributions
  --tasks LIST         role,involvement (default both)
  --max-fpr RATE       the decision's false-positive rate: 0.01, 0.05 (default) or 0.1
detect-judgments only:
  --explain            the largest feature contributions
  --rubric ID          rubric for lines that name none

  -h, --help           this help
  -v, --version        the version

${EXIT_CODE_HELP}
`;

class UsageError extends Error {}

const COMMON: NonNullable<ParseArgsConfig['options']> = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'model-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  concurrency: { type: 'string' },
  'no-progress': { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function version(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.resolve(here, '../../package.json'), path.resolve(here, '../../../package.json')]) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'llm-provenance') return pkg.version ?? '0.0.0';
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}

function parse(args: string[], extra: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...extra }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function positiveInt(name: string, v: unknown, def: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!/^[0-9]+$/.test(String(v)) || n < 1 || n > 1_000_000) throw new UsageError(`--${name} must be a whole number >= 1, got ${String(v)}`);
  return n;
}

function makeClient(values: Record<string, unknown>, io: Io): Client {
  const url = values.url as string | undefined;
  if (url) {
    try {
      return new RemoteClient(url, (values['api-key'] as string | undefined) ?? process.env.LLM_PROVENANCE_API_KEY, positiveInt('timeout', values.timeout, 60_000));
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (values['api-key']) throw new UsageError('--api-key needs --url');
  if (values.timeout !== undefined) throw new UsageError('--timeout needs --url');
  return new LazyClient('in-process models', async () => {
    const tty = Boolean(process.stderr.isTTY);
    if (tty) io.err.write('loading models…');
    try {
      return await InProcessClient.create({ modelDir: values['model-dir'] as string | undefined, logLevel: values.verbose ? 'info' : undefined });
    } finally {
      if (tty) io.err.write('\r\x1b[2K');
    }
  });
}

async function withClient(values: Record<string, unknown>, io: Io, fn: (c: Client) => Promise<ExitCode>): Promise<ExitCode> {
  const client = makeClient(values, io);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export async function main(argv: string[], io: Io): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    io.out.write(HELP);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (command === '-v' || command === '--version') {
    io.out.write(`${version()}\n`);
    return EXIT.OK;
  }
  try {
    switch (command) {
      case 'analyze': {
        const { values, positionals } = parse(rest, {
          segments: { type: 'boolean', default: false },
          explain: { type: 'boolean', default: false },
          tasks: { type: 'string' },
          'max-fpr': { type: 'string' },
        });
        if (values.help) return (io.out.write(HELP), EXIT.OK);
        let maxFpr: number | undefined;
        if (values['max-fpr'] !== undefined) {
          maxFpr = Number(values['max-fpr']);
          if (!DECISION_RATES.includes(maxFpr)) throw new UsageError(`--max-fpr takes ${DECISION_RATES_TEXT}, got ${String(values['max-fpr'])}`);
        }
        if (positionals.length === 0) throw new UsageError('analyze needs at least one FILE (or - for stdin)');
        if (positionals.filter((p) => p === '-').length > 1) throw new UsageError('stdin (-) can be given once only');
        let tasks: string[] | undefined;
        if (values.tasks !== undefined) {
          tasks = String(values.tasks).split(',').map((t) => t.trim()).filter(Boolean);
          const bad = tasks.filter((t) => t !== 'role' && t !== 'involvement');
          if (tasks.length === 0 || bad.length) throw new UsageError(`--tasks takes role and/or involvement, got ${String(values.tasks)}`);
        }
        const concurrency = positiveInt('concurrency', values.concurrency, 4);
        return await withClient(values, io, (c) =>
          analyze(c, {
            files: positionals,
            json: Boolean(values.json),
            segments: Boolean(values.segments),
            explain: Boolean(values.explain),
            tasks,
            maxFpr,
            concurrency,
            progress: !values['no-progress'],
          }, io),
        );
      }
      case 'detect-judgments': {
        const { values, positionals } = parse(rest, {
          explain: { type: 'boolean', default: false },
          rubric: { type: 'string' },
        });
        if (values.help) return (io.out.write(HELP), EXIT.OK);
        if (positionals.length !== 1) throw new UsageError('detect-judgments needs exactly one FILE.jsonl (or - for stdin)');
        const concurrency = positiveInt('concurrency', values.concurrency, 4);
        return await withClient(values, io, (c) =>
          detectJudgments(c, {
            file: positionals[0],
            json: Boolean(values.json),
            explain: Boolean(values.explain),
            rubric: values.rubric as string | undefined,
            concurrency,
            progress: !values['no-progress'],
          }, io),
        );
      }
      case 'rubrics': {
        const { values, positionals } = parse(rest, {});
        if (values.help) return (io.out.write(HELP), EXIT.OK);
        if (positionals.length) throw new UsageError(`rubrics takes no arguments, got ${positionals.join(' ')}`);
        return await withClient(values, io, (c) => listRubrics(c, { json: Boolean(values.json) }, io));
      }
      case 'serve': {
        let parsed;
        try {
          parsed = parseArgs({
            args: rest,
            options: { port: { type: 'string' }, host: { type: 'string' }, 'model-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
            allowPositionals: false,
            strict: true,
          });
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const v = parsed.values;
        if (v.help) return (io.out.write(HELP), EXIT.OK);
        if (v.port !== undefined) process.env.PORT = String(v.port);
        if (v.host !== undefined) process.env.HOST = String(v.host);
        if (v['model-dir'] !== undefined) {
          process.env.MODEL_DIR = String(v['model-dir']);
          delete process.env.ENCODER_DIR;
        }
        return await serve();
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`llm-provenance: ${err.message}\nRun llm-provenance --help for usage.\n`);
      return EXIT.USAGE;
    }
    io.err.write(`llm-provenance: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.INTERNAL;
  }
}

/**
 * Starts the service exactly as `npm start` (src/server.ts main()): same configuration, same
 * graceful drain on SIGTERM. Never resolves: the server runs until a signal. A bad configuration or
 * a port in use exits 1 from main() itself.
 */
async function serve(): Promise<ExitCode> {
  const { main: startService } = await import('../server.js');
  await startService(process.env);
  return new Promise<ExitCode>(() => {
    /* runs until SIGTERM/SIGINT; server.ts drains and exits */
  });
}

const isMain = (() => {
  try {
    // npm links the bin (node_modules/.bin/llm-provenance -> dist/src/cli/index.js): compare real paths
    return process.argv[1] !== undefined && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
})();

if (isMain) {
  const code = await main(process.argv.slice(2), { out: process.stdout, err: process.stderr, stdin: process.stdin });
  // exit even if a model library keeps a handle open; stdout/stderr writes are synchronous on Linux
  // pipes and files, and are drained first otherwise
  const drain = (s: NodeJS.WriteStream) => new Promise<void>((r) => (s.writableNeedDrain ? s.once('drain', () => r()) : r()));
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
  process.exit(code);
}
