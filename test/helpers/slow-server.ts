/**
 * A real server process for the graceful-shutdown test: src/server.ts's startServer (the same
 * listen + SIGTERM handling as production) with TEST DOUBLE detectors that take SLOW_MS per request.
 */
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { doubleDetectors } from './build.js';

const config = { ...loadConfig(process.env), loadModels: false };
await startServer(config, { detectors: doubleDetectors({ delayMs: Number(process.env.SLOW_MS ?? 400) }) });
