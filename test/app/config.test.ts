import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

t.test('defaults', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 8080);
  t.equal(c.host, '127.0.0.1');
  t.equal(c.logLevel, 'info');
  t.equal(c.modelDir, path.resolve('./models'));
  t.equal(c.encoderDir, path.join(path.resolve('./models'), 'encoder'));
  t.equal(c.encoderPrecision, 'fp32');
  t.equal(c.device, 'cpu');
  t.equal(c.intraOpThreads, undefined);
  t.equal(c.corsOrigin, null, 'CORS off by default');
  t.same(c.apiKeys, [], 'no API keys by default');
  t.equal(c.logBodies, false, 'bodies are not logged by default');
  t.equal(c.trustProxy, false);
});

t.test('values are parsed and typed', async (t) => {
  const c = loadConfig({
    PORT: '9000', HOST: '0.0.0.0', LOG_LEVEL: 'DEBUG', MODEL_DIR: '/srv/models', ENCODER_PRECISION: 'int8', DEVICE: 'cuda',
    INTRA_OP_THREADS: '2', API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2', CORS_ORIGIN: 'https://a.example,http://localhost:3000',
    LOG_BODIES: 'yes', RATE_LIMIT_MAX: '0', TRUST_PROXY: '1',
  });
  t.equal(c.port, 9000);
  t.equal(c.logLevel, 'debug');
  t.equal(c.encoderDir, '/srv/models/encoder', 'ENCODER_DIR defaults to $MODEL_DIR/encoder');
  t.equal(c.encoderPrecision, 'int8');
  t.equal(c.device, 'cuda');
  t.equal(c.intraOpThreads, 2);
  t.same(c.apiKeys, ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
  t.same(c.corsOrigin, ['https://a.example', 'http://localhost:3000']);
  t.equal(c.logBodies, true);
  t.equal(c.rateLimitMax, 0);
  t.equal(c.trustProxy, 1);
  t.equal(loadConfig({ ENCODER_DIR: '/x/enc', MODEL_DIR: '/y' }).encoderDir, '/x/enc');
  t.equal(c.textHeadsDir, '/srv/models/heads', 'TEXT_HEADS_DIR defaults to $MODEL_DIR/heads');
  t.equal(loadConfig({ TEXT_HEADS_DIR: '/x/heads-features-only', MODEL_DIR: '/y' }).textHeadsDir, '/x/heads-features-only');
});

const bad: [string, string, RegExp][] = [
  ['PORT', 'abc', /PORT must be a whole number/],
  ['PORT', '70000', /PORT must be between 0 and 65535/],
  ['HOST', 'bad host!', /HOST must be/],
  ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of/],
  ['ENCODER_PRECISION', 'int4', /ENCODER_PRECISION must be one of int8, fp32/],
  ['DEVICE', 'gpu', /DEVICE must be one of cpu, cuda/],
  ['INTRA_OP_THREADS', '0', /INTRA_OP_THREADS must be between 1 and 256/],
  ['BATCH_MAX_TOKENS', '-5', /BATCH_MAX_TOKENS must be a whole number/],
  ['BATCH_MAX_WAIT_MS', '1.5', /BATCH_MAX_WAIT_MS must be a whole number/],
  ['QUEUE_MAX', '0', /QUEUE_MAX must be between/],
  ['REQUEST_TIMEOUT_MS', 'soon', /REQUEST_TIMEOUT_MS/],
  ['BODY_LIMIT_BYTES', '10', /BODY_LIMIT_BYTES must be between/],
  ['MAX_TEXT_CHARS', '1e6', /MAX_TEXT_CHARS must be a whole number/],
  ['MAX_BATCH_ITEMS', '0', /MAX_BATCH_ITEMS/],
  ['MAX_JUDGMENTS', 'many', /MAX_JUDGMENTS/],
  ['API_KEYS', 'short', /API_KEYS entry 1 must be at least 16/],
  ['API_KEYS', ' , ', /API_KEYS is set but holds no key/],
  ['RATE_LIMIT_MAX', '-1', /RATE_LIMIT_MAX/],
  ['RATE_LIMIT_WINDOW_MS', '5', /RATE_LIMIT_WINDOW_MS must be between/],
  ['CORS_ORIGIN', 'evil', /CORS_ORIGIN must be \*/],
  ['LOG_BODIES', 'maybe', /LOG_BODIES must be true or false/],
  ['SHUTDOWN_GRACE_MS', 'x', /SHUTDOWN_GRACE_MS/],
  ['TRUST_PROXY', 'sometimes', /TRUST_PROXY must be true or false/],
];

for (const [name, value, message] of bad) {
  t.test(`bad ${name}=${value} is refused with a message naming it`, async (t) => {
    t.throws(() => loadConfig({ [name]: value }), message);
    t.throws(() => loadConfig({ [name]: value }), ConfigError);
  });
}

t.test('every problem is reported at once', async (t) => {
  try {
    loadConfig({ PORT: 'x', DEVICE: 'tpu', LOG_BODIES: '2' });
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof ConfigError);
    t.equal((err as ConfigError).problems.length, 3);
  }
});

t.test('every documented variable is read by loadConfig', async (t) => {
  const src = (await import('node:fs')).readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8');
  for (const v of CONFIG_VARIABLES) t.match(src, new RegExp(`'${v.name}'`), v.name);
});

t.test('the server process exits 1 naming the bad variables', async (t) => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: 'eighty', DEVICE: 'gpu' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 1);
  t.match(r.stderr, /PORT must be a whole number/);
  t.match(r.stderr, /DEVICE must be one of cpu, cuda, got "gpu"/);
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

t.test('the README documents every variable', async (t) => {
  const readme = (await import('node:fs')).readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const v of CONFIG_VARIABLES) t.match(readme, new RegExp(`\\| \`${v.name}\` \\|`), v.name);
});
