import { readFileSync } from 'node:fs';
import os from 'node:os';

/** the x86 instruction sets that decide which integer kernels onnxruntime's CPU provider runs */
export const KERNEL_FLAGS = ['avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'] as const;

export interface CpuKernels {
  model: string;
  /** each of KERNEL_FLAGS: whether /proc/cpuinfo lists it (all false where it cannot be read) */
  flags: Record<(typeof KERNEL_FLAGS)[number], boolean>;
  /** one line for logs, bench/RESULTS.md and the card, e.g. "AMD EPYC: avx2 yes, avx512f no, ..." */
  summary: string;
}

/** What this CPU offers onnxruntime's int8 kernels (Linux /proc/cpuinfo; elsewhere flags read false). */
export function cpuKernels(cpuinfo?: string): CpuKernels {
  let info = cpuinfo;
  if (info === undefined) {
    try {
      info = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      info = '';
    }
  }
  const have = new Set((/^flags\s*:(.*)$/m.exec(info)?.[1] ?? '').trim().split(/\s+/));
  const model = /^model name\s*:(.*)$/m.exec(info)?.[1]?.trim() || os.cpus()[0]?.model || 'unknown CPU';
  const flags = Object.fromEntries(KERNEL_FLAGS.map((f) => [f, have.has(f)])) as CpuKernels['flags'];
  return { model, flags, summary: `${model}: ${KERNEL_FLAGS.map((f) => `${f} ${flags[f] ? 'yes' : 'no'}`).join(', ')}` };
}
