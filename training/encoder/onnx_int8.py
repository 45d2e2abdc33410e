"""Int8 dynamic quantization of an ONNX encoder, written with `onnx` helpers only (no onnxruntime, no torch),
plus sha256. Used by make_config.py (any Hugging Face encoder exported to ONNX; convert.py runs it for the shipped
encoder). The schemes that lost (row-u8: 8-bit weights as uint8; tensor-s8: one activation scale per tensor,
encoder 2.0.0's) are in git history: training/README.md.
"""
import hashlib

import numpy as np


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


# which constant MatMuls quantize_int8 leaves in fp32 (make_config.py / convert.py --int8-fp32), by weight shape [K, N]
KEEP_FP32 = {
    'none': None,
    # the FFN output projections (K > N, e.g. 1536 -> 384): a third of the MatMul FLOPs
    'ffn-out': lambda name, shape: shape[0] > shape[1],
}

# Scheme row-s7: per-row (per-token) symmetric activations, uint8 with zero point 128, and 7-bit weights (|w_q| <= 63).
# No product pair can saturate the int16 sums of x86's u8s8 kernels without VNNI (AVX2 vpmaddubsw: 2 x 255 x 63 =
# 32,130 < 32,767), so the integer results are exact and the same on AVX2, AVX-512 and VNNI; and each token's scale
# is its own, so a text's vectors do not depend on its neighbours in a batch. One line for config.json (int8.method):
INT8_METHOD = ('dynamic: per-row (per-token) symmetric uint8 activations (zero point 128) and per-column symmetric 7-bit weights '
               '(|w_q| <= 63) for every constant MatMul (MatMulInteger), int8 token-embedding table with per-row scales')


def quantize_int8(src: str, dst: str, keep_fp32=None) -> dict:
    """Dynamic int8 quantization (scheme row-s7, above): every MatMul whose B is a constant 2-D weight becomes a
    per-row quantization of A + MatMulInteger(A_q, W_q 7-bit, zero points) -> Cast -> Mul(a_scale[row] * w_scale[col]),
    with symmetric per-column weights; the token embedding table becomes an int8 Gather + per-row scale.
    `keep_fp32(node_name, weight_shape)` -> True leaves that MatMul in fp32 (e.g. a pretrained model's FFN output
    projections, whose GELU activations have outliers).
    Returns counts of what was rewritten."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    new_nodes = []
    new_inits = []
    drop_inits = set()
    row_constants = False  # the scheme's scalar constants, added with the first MatMul that needs them
    stats = {'matmul': 0, 'gather': 0, 'matmul_fp32': 0, 'scheme': 'row-s7'}
    uses = {}
    for n in g.node:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1

    for n in g.node:
        weight_mm = n.op_type == 'MatMul' and n.input[1] in inits and len(inits[n.input[1]].dims) == 2
        if weight_mm and keep_fp32 is not None and keep_fp32(n.name, list(inits[n.input[1]].dims)):
            new_nodes.append(n)
            stats['matmul_fp32'] += 1
        elif weight_mm:
            w = numpy_helper.to_array(inits[n.input[1]]).astype(np.float32)  # [K, N]
            scale = np.abs(w).max(axis=0) / 63.0
            scale[scale == 0] = 1.0
            wq = np.clip(np.round(w / scale), -63.0, 63.0).astype(np.int8)
            wz = np.zeros((wq.shape[1],), np.int8)
            base = n.name.replace('/', '_').strip('_') or n.output[0]
            wq_name, ws_name, wz_name = base + '_Wq', base + '_Wscale', base + '_Wzero'
            new_inits += [numpy_helper.from_array(wq, wq_name),
                          numpy_helper.from_array(scale.astype(np.float32), ws_name),
                          numpy_helper.from_array(wz, wz_name)]
            if uses.get(n.input[1], 0) == 1:
                drop_inits.add(n.input[1])
            a = n.input[0]
            mi, mf = base + '_mmi', base + '_mmf'
            if not row_constants:
                new_inits += [numpy_helper.from_array(np.array(1.0 / 127.0, np.float32), 'q_inv127'),
                              numpy_helper.from_array(np.array(1e-30, np.float32), 'q_tiny'),
                              numpy_helper.from_array(np.array(128.0, np.float32), 'q_f128'),
                              numpy_helper.from_array(np.array(255.0, np.float32), 'q_f255'),
                              numpy_helper.from_array(np.array(0.0, np.float32), 'q_f0'),
                              numpy_helper.from_array(np.array(128, np.uint8), 'q_u128')]
                row_constants = True
            # per-row scale s = max(|a|) / 127 over the last axis; a_q = clip(round(a / s) + 128, 0, 255) as uint8
            t = lambda x: base + '_' + x  # noqa: E731
            new_nodes += [
                helper.make_node('Abs', [a], [t('abs')], name=t('abs')),
                helper.make_node('ReduceMax', [t('abs')], [t('amax')], axes=[-1], keepdims=1, name=t('amax')),
                helper.make_node('Max', [t('amax'), 'q_tiny'], [t('amax1')], name=t('amax1')),
                helper.make_node('Mul', [t('amax1'), 'q_inv127'], [t('as')], name=t('as')),
                helper.make_node('Div', [a, t('as')], [t('adiv')], name=t('adiv')),
                helper.make_node('Round', [t('adiv')], [t('around')], name=t('around')),
                helper.make_node('Add', [t('around'), 'q_f128'], [t('ashift')], name=t('ashift')),
                helper.make_node('Clip', [t('ashift'), 'q_f0', 'q_f255'], [t('aclip')], name=t('aclip')),
                helper.make_node('Cast', [t('aclip')], [t('aq')], to=TensorProto.UINT8, name=t('aq')),
                helper.make_node('MatMulInteger', [t('aq'), wq_name, 'q_u128', wz_name], [mi], name=mi),
                helper.make_node('Cast', [mi], [mf], to=TensorProto.FLOAT, name=base + '_cast'),
                helper.make_node('Mul', [mf, t('as')], [t('rows')], name=t('rows')),
                helper.make_node('Mul', [t('rows'), ws_name], [n.output[0]], name=base + '_out'),
            ]
            stats['matmul'] += 1
        elif n.op_type == 'Gather' and n.input[0] in inits and len(inits[n.input[0]].dims) == 2 \
                and n.input[1] == 'input_ids':
            # the token-embedding table (positions and token types are small: keep them fp32)
            t = numpy_helper.to_array(inits[n.input[0]]).astype(np.float32)
            scale = (np.abs(t).max(axis=1, keepdims=True) / 127.0).astype(np.float32)
            scale[scale == 0] = 1.0
            tq = np.clip(np.round(t / scale), -127, 127).astype(np.int8)
            base = (n.name.replace('/', '_').strip('_') or n.output[0]) + '_q'
            new_inits += [numpy_helper.from_array(tq, base + '_table'),
                          numpy_helper.from_array(scale, base + '_rowscale')]
            if uses.get(n.input[0], 0) == 1:
                drop_inits.add(n.input[0])
            axis = [a.i for a in n.attribute if a.name == 'axis']
            new_nodes.append(helper.make_node('Gather', [base + '_table', n.input[1]], [base + '_g8'],
                                              axis=axis[0] if axis else 0, name=base + '_gather'))
            new_nodes.append(helper.make_node('Gather', [base + '_rowscale', n.input[1]], [base + '_gs'],
                                              axis=axis[0] if axis else 0, name=base + '_gscale'))
            new_nodes.append(helper.make_node('Cast', [base + '_g8'], [base + '_gf'], to=TensorProto.FLOAT,
                                              name=base + '_cast'))
            new_nodes.append(helper.make_node('Mul', [base + '_gf', base + '_gs'], [n.output[0]], name=base + '_deq'))
            stats['gather'] += 1
        else:
            new_nodes.append(n)

    keep = [t for t in g.initializer if t.name not in drop_inits]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    del g.node[:]
    g.node.extend(new_nodes)
    # drop stale value_info for rewritten tensors
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return stats
