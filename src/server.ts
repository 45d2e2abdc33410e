/**
 * Start-up: config -> build -> listen -> graceful drain.
 * On SIGTERM/SIGINT the server stops accepting connections, finishes the requests in flight (up to
 * SHUTDOWN_GRACE_MS), closes the models and exits 0. A bad configuration exits 1 with a message
 * naming each bad variable.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { build, type BuildOptions } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';

export async function startServer(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await build(config, opts);
  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an unexpected error');
    else app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    await app.close();
    app.log.info('shut down cleanly');
  });
  await app.listen({ port: config.port, host: config.host });
  return app;
}

export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`llm-provenance: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  try {
    await startServer(config);
  } catch (err) {
    process.stderr.write(`llm-provenance: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || process.env.LLM_PROVENANCE_MAIN === '1') void main();
