"""Int8 dynamic quantization of an ONNX encoder, written with `onnx` helpers only (no onnxruntime, no torch),
plus sha256. Used by common.py (training export) and make_config.py (any Hugging Face encoder exported to ONNX).
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
    # both FFN projections (K != N): two thirds of the FLOPs; attention stays int8
    'ffn': lambda name, shape: shape[0] != shape[1],
}


def quantize_int8(src: str, dst: str, keep_fp32=None) -> dict:
    """Dynamic int8 quantization: every MatMul whose B is a constant 2-D weight becomes
    DynamicQuantizeLinear(A) + MatMulInteger(A_q, W_q int8, zero points) -> Cast -> Mul(a_scale * w_scale[col]),
    with symmetric per-column int8 weights; the token embedding table becomes an int8 Gather + per-row scale.
    `keep_fp32(node_name, weight_shape)` -> True leaves that MatMul in fp32 (e.g. a pretrained model's FFN output
    projections, whose GELU activations have outliers that one activation scale per tensor does not hold).
    Returns counts of what was rewritten."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(src)
    g = m.graph
    inits = {t.name: t for t in g.initializer}
    new_nodes = []
    new_inits = []
    drop_inits = set()
    stats = {'matmul': 0, 'gather': 0, 'matmul_fp32': 0}
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
            scale = np.abs(w).max(axis=0) / 127.0
            scale[scale == 0] = 1.0
            wq = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
            base = n.name.replace('/', '_').strip('_') or n.output[0]
            wq_name, ws_name, wz_name = base + '_Wq', base + '_Wscale', base + '_Wzero'
            new_inits += [numpy_helper.from_array(wq, wq_name),
                          numpy_helper.from_array(scale.astype(np.float32), ws_name),
                          numpy_helper.from_array(np.zeros((wq.shape[1],), np.int8), wz_name)]
            if uses.get(n.input[1], 0) == 1:
                drop_inits.add(n.input[1])
            a = n.input[0]
            aq, as_, az = base + '_Aq', base + '_Ascale', base + '_Azero'
            new_nodes.append(helper.make_node('DynamicQuantizeLinear', [a], [aq, as_, az], name=base + '_dql'))
            mi = base + '_mmi'
            new_nodes.append(helper.make_node('MatMulInteger', [aq, wq_name, az, wz_name], [mi], name=base + '_mmi'))
            mf = base + '_mmf'
            new_nodes.append(helper.make_node('Cast', [mi], [mf], to=TensorProto.FLOAT, name=base + '_cast'))
            sc = base + '_scale'
            new_nodes.append(helper.make_node('Mul', [as_, ws_name], [sc], name=base + '_scalemul'))
            new_nodes.append(helper.make_node('Mul', [mf, sc], [n.output[0]], name=base + '_out'))
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
