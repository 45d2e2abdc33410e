import t from 'tap';
import { cpuKernels } from '../../src/encoder/cpu.js';

t.test('reads the kernel flags from cpuinfo', async (t) => {
  const avx2 = cpuKernels('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse2 avx avx2 fma\n');
  t.equal(avx2.model, 'AMD EPYC 7B13');
  t.same(avx2.flags, { avx2: true, avx512f: false, avx512_vnni: false, avx_vnni: false, amx_int8: false });
  t.equal(avx2.summary, 'AMD EPYC 7B13: avx2 yes, avx512f no, avx512_vnni no, avx_vnni no, amx_int8 no');
  const vnni = cpuKernels('model name\t: X\nflags\t\t: avx2 avx512f avx512_vnni avx_vnni\n');
  t.same(vnni.flags, { avx2: true, avx512f: true, avx512_vnni: true, avx_vnni: true, amx_int8: false });
  t.same(cpuKernels('').flags, { avx2: false, avx512f: false, avx512_vnni: false, avx_vnni: false, amx_int8: false }, 'unreadable: all false');
});
