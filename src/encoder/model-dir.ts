/**
 * Reads and checks a self-describing encoder directory:
 *   config.json      {id, version, dim, max_length, stride, pooling:"mean", lowercase, files:{name: sha256}}
 *   tokenizer.json   Hugging Face tokenizer
 *   model.onnx       fp32 (precision 'fp32')
 *   model.int8.onnx  dynamically quantized (precision 'int8')
 * Every file that is loaded must be listed in config.files and match its sha256; anything else is refused
 * with EncoderUnavailableError naming the file and what is wrong with it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EncoderUnavailableError } from './errors.js';

export interface EncoderConfig {
  id: string;
  version: string;
  dim: number;
  max_length: number;
  /** tokens shared by two consecutive windows (Hugging Face `stride` meaning: overlap) */
  stride: number;
  pooling: 'mean';
  lowercase: boolean;
  files: Record<string, string>;
  [key: string]: unknown;
}

export const ONNX_FILE = { fp32: 'model.onnx', int8: 'model.int8.onnx' } as const;

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function fail(dir: string, what: string): never {
  throw new EncoderUnavailableError(`${what} (encoder directory ${dir})`);
}

async function readRequired(dir: string, name: string): Promise<Buffer> {
  const file = path.join(dir, name);
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail(dir, `${name} is missing`);
    if (code === 'EACCES' || code === 'EPERM') fail(dir, `${name} is not readable (${code})`);
    if (code === 'EISDIR') fail(dir, `${name} is a directory, not a file`);
    fail(dir, `${name} cannot be read: ${(err as Error).message}`);
  }
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

export function parseEncoderConfig(dir: string, raw: Buffer): EncoderConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    fail(dir, `config.json is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail(dir, 'config.json is not a JSON object');
  const c = json as Record<string, unknown>;
  if (typeof c.id !== 'string' || c.id === '') fail(dir, 'config.json: "id" must be a non-empty string');
  const version = c.version === undefined ? '0' : String(c.version);
  if (!isPositiveInt(c.dim)) fail(dir, 'config.json: "dim" must be a positive integer');
  if (!isPositiveInt(c.max_length) || c.max_length < 2) fail(dir, 'config.json: "max_length" must be an integer >= 2');
  const stride = c.stride === undefined ? 0 : c.stride;
  if (typeof stride !== 'number' || !Number.isInteger(stride) || stride < 0)
    fail(dir, 'config.json: "stride" must be a non-negative integer');
  if (c.pooling !== undefined && c.pooling !== 'mean')
    fail(dir, `config.json: pooling "${String(c.pooling)}" is not supported (only "mean")`);
  if (c.files === null || typeof c.files !== 'object' || Array.isArray(c.files))
    fail(dir, 'config.json: "files" must map file names to their sha256');
  for (const [name, hash] of Object.entries(c.files as Record<string, unknown>)) {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash))
      fail(dir, `config.json: files["${name}"] is not a sha256 hex digest`);
  }
  return {
    ...c,
    id: c.id,
    version,
    dim: c.dim,
    max_length: c.max_length,
    stride,
    pooling: 'mean',
    lowercase: c.lowercase === true,
    files: c.files as Record<string, string>,
  };
}

/** Reads a file listed in config.files and checks its sha256. */
export async function readVerified(dir: string, config: EncoderConfig, name: string): Promise<{ data: Buffer; sha256: string }> {
  const expected = config.files[name];
  if (expected === undefined) fail(dir, `config.json lists no sha256 for ${name}, so it cannot be verified`);
  const data = await readRequired(dir, name);
  const actual = sha256(data);
  if (actual !== expected.toLowerCase())
    fail(dir, `${name} is corrupt or was replaced: sha256 ${actual} does not match ${expected} recorded in config.json`);
  return { data, sha256: actual };
}

export interface EncoderFiles {
  config: EncoderConfig;
  tokenizerJson: unknown;
  tokenizerConfig: Record<string, unknown>;
  onnx: Buffer;
  onnxFile: string;
  onnxSha256: string;
}

export async function loadEncoderFiles(dir: string, precision: 'fp32' | 'int8'): Promise<EncoderFiles> {
  const config = parseEncoderConfig(dir, await readRequired(dir, 'config.json'));
  const tok = await readVerified(dir, config, 'tokenizer.json');
  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(tok.data.toString('utf8'));
  } catch (err) {
    fail(dir, `tokenizer.json is not valid JSON: ${(err as Error).message}`);
  }
  // tokenizer_config.json changes tokenization, so it is only used when config.json vouches for it
  let tokenizerConfig: Record<string, unknown> = {};
  if (config.files['tokenizer_config.json'] !== undefined) {
    const tc = await readVerified(dir, config, 'tokenizer_config.json');
    try {
      tokenizerConfig = JSON.parse(tc.data.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      fail(dir, `tokenizer_config.json is not valid JSON: ${(err as Error).message}`);
    }
  }
  const onnxFile = ONNX_FILE[precision];
  if (config.files[onnxFile] === undefined)
    fail(dir, `precision ${precision} needs ${onnxFile}, which config.json does not list (listed: ${Object.keys(config.files).join(', ') || 'none'})`);
  const onnx = await readVerified(dir, config, onnxFile);
  return { config, tokenizerJson, tokenizerConfig, onnx: onnx.data, onnxFile, onnxSha256: onnx.sha256 };
}
