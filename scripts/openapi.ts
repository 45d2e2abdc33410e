/**
 * Writes openapi/openapi.json from the route schemas (npm run openapi). Uses the default
 * configuration (limits included), never the environment, so the document is reproducible;
 * test/app/openapi.test.ts fails when the committed file differs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';

export async function generateOpenApi(): Promise<string> {
  const app = await build({ ...loadConfig({}), loadModels: false }, { logger: false });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url));

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const doc = await generateOpenApi();
  await mkdir(new URL('../openapi/', import.meta.url), { recursive: true });
  await writeFile(OPENAPI_PATH, doc);
  process.stdout.write(`wrote ${OPENAPI_PATH} (${doc.length} bytes)\n`);
}
