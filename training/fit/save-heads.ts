/**
 * Writing trained text heads into models/heads (or any directory) in the form src/heads/text-heads.ts loads
 * and checks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LexiconJSON } from '../../src/heads/lexicon.js';
import type { StandardizerJSON } from '../../src/heads/linear.js';
import { sha256Hex, type InvolvementJSON, type RoleHeadJSON, type TextHeadsConfig, type TextHeadsConfigBase } from '../../src/heads/text-heads.js';

/**
 * Writes standardizer.json, role.json, involvement.json and config.json (with their sha256) into
 * `dir`. `version` may contain `{role}`, replaced by the first 8 hex digits of role.json's sha256.
 */
export async function saveHeads(
  dir: string,
  parts: { standardizer: StandardizerJSON; role: RoleHeadJSON; involvement: InvolvementJSON; lexicon?: LexiconJSON | null },
  config: TextHeadsConfigBase,
): Promise<TextHeadsConfig> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {};
  const bodies: [string, unknown][] = [
    ['standardizer.json', parts.standardizer],
    ['role.json', parts.role],
    ['involvement.json', parts.involvement],
  ];
  if (parts.lexicon) bodies.push(['lexicon.json', parts.lexicon]);
  for (const [name, obj] of bodies) {
    const s = JSON.stringify(obj) + '\n';
    await writeFile(path.join(dir, name), s);
    files[name] = sha256Hex(s);
  }
  const full = { ...config, version: config.version.replace('{role}', files['role.json'].slice(0, 8)), files } as TextHeadsConfig;
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(full, null, 2) + '\n');
  return full;
}
